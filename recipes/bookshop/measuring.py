"""Measure requests the way the benchmark harness does: queries, cache round trips, time.

The notebooks time a few requests with these, and ``harness/bench.py`` runs them many times
for the tables on the site: one way of measuring, in both places.
"""

import statistics
import time
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from . import sandbox

CACHE_CALLS = (
    "get",
    "get_many",
    "set",
    "set_many",
    "add",
    "incr",
    "delete",
    "delete_many",
)


@dataclass(frozen=True)
class Variant:
    label: str
    path: str
    clear_cache_first: bool = False


@dataclass(frozen=True)
class Row:
    label: str
    queries: int
    round_trips: int
    median_ms: float


@contextmanager
def counting_cache_calls() -> Any:
    """Count every call to the default cache backend's methods while the block runs, and
    every ``MGET`` or script sent to Redis outside them (an early hit reads the bytes as
    stored, past the backend): each is one round trip."""
    from django.core.cache import caches

    backend = type(caches["default"])
    calls: Counter[str] = Counter()
    inside = [0]  # backend calls running: the Redis commands they send are theirs
    originals = {name: getattr(backend, name) for name in CACHE_CALLS}

    def counted(name: str, original: Callable) -> Callable:
        def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            if not inside[0]:
                calls[name] += 1
            inside[0] += 1
            try:
                return original(self, *args, **kwargs)
            finally:
                inside[0] -= 1

        return call

    import redis

    direct = {"eval": redis.Redis.eval, "mget": redis.Redis.mget}
    for name, original in originals.items():
        setattr(backend, name, counted(name, original))
    redis.Redis.eval = counted("script", direct["eval"])
    redis.Redis.mget = counted("mget", direct["mget"])
    try:
        yield calls
    finally:
        for name, original in originals.items():
            setattr(backend, name, original)
        redis.Redis.eval, redis.Redis.mget = direct["eval"], direct["mget"]


def measure(client: Any, variant: Variant, repeat: int) -> Row:
    """Request ``variant`` ``repeat`` times; return its last query count and median time."""
    from django.core.cache import cache

    client.get(variant.path)  # warm the code paths (and, for warm variants, the cache)
    times, queries, trips = [], 0, 0
    for _ in range(repeat):
        if variant.clear_cache_first:
            cache.clear()
        with counting_cache_calls() as calls:
            started = time.perf_counter()
            result = sandbox.exchange(client, "GET", variant.path)
            times.append((time.perf_counter() - started) * 1000)
        queries, trips = (
            result.queries,
            sum(calls.values()),
        )
    return Row(variant.label, queries, trips, statistics.median(times))


SCENARIOS: dict[str, list[Variant]] = {
    "serializer-fields": [
        Variant("No cache (N+1)", "/api/uncached/books/"),
        Variant(
            "annotate() + prefetch_related()", "/api/serializer-fields/books-annotated/"
        ),
        Variant(
            "Cached fields, cold",
            "/api/serializer-fields/books/",
            clear_cache_first=True,
        ),
        Variant("Cached fields, warm", "/api/serializer-fields/books/"),
    ],
}


def table(rows: list[Row]) -> str:
    """Return ``rows`` as a Markdown table, with times relative to the first row."""
    baseline = rows[0].median_ms
    lines = [
        "| Variant | Queries | Cache round trips | Median time | Relative time |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {row.label} | {row.queries} | {row.round_trips} | {row.median_ms:.1f} ms "
        f"| {row.median_ms / baseline:.2f}x |"
        for row in rows
    ]
    return "\n".join(lines)
