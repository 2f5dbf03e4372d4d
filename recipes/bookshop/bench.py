"""The benchmark harness: every number on the site comes from here.

``python -m recipes.bookshop.bench serializer-fields`` seeds an in-memory bookshop (the
``bench`` size by default), requests each variant of a page many times in one run, and prints
a Markdown table: queries, cache round trips and median time per request, and the time
relative to the uncached page measured in the same run (absolute times depend on the
machine; ratios measured together are what to compare). ``--write PATH`` saves the table for
the docs, with the command that produced it.
"""

import argparse
import statistics
import time
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
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
    """Count every call to the default cache backend's methods while the block runs."""
    from django.core.cache import caches

    backend = type(caches["default"])
    calls: Counter[str] = Counter()
    originals = {name: getattr(backend, name) for name in CACHE_CALLS}

    def counted(name: str, original: Callable) -> Callable:
        def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return original(self, *args, **kwargs)

        return call

    import redis

    script = redis.Redis.eval  # a Lua script (check-and-store) is one round trip too
    for name, original in originals.items():
        setattr(backend, name, counted(name, original))
    redis.Redis.eval = counted("script", script)
    try:
        yield calls
    finally:
        for name, original in originals.items():
            setattr(backend, name, original)
        redis.Redis.eval = script


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


STORAGE_SCENARIO = "redis-config"
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


@dataclass(frozen=True)
class StorageRow:
    serializer: str
    compressor: str
    value_bytes: int
    bytes: int
    set_us: float
    get_us: float


def measure_storage(url: str, payload: Any, repeat: int) -> list[StorageRow]:
    """Store ``payload`` with every serializer and compressor on the Redis at ``url``."""
    from django.core.cache import caches
    from django.test import override_settings
    from django_redis import get_redis_connection

    from recipes.redis_config.caching import (
        COMPRESSORS,
        SERIALIZERS,
        django_redis_cache,
        memory_usage,
    )

    rows = []
    for serializer in SERIALIZERS:
        for compressor in COMPRESSORS:
            config = django_redis_cache(
                url, serializer=serializer, compressor=compressor
            )
            with override_settings(CACHES={"default": config}):
                cache = caches["default"]
                set_times, get_times = [], []
                for _ in range(repeat):
                    started = time.perf_counter()
                    cache.set("payload", payload, 60)
                    set_times.append(time.perf_counter() - started)
                    started = time.perf_counter()
                    cache.get("payload")
                    get_times.append(time.perf_counter() - started)
                rows.append(
                    StorageRow(
                        serializer,
                        compressor,
                        get_redis_connection("default").strlen(
                            cache.make_key("payload")
                        ),
                        memory_usage("default", "payload") or 0,
                        statistics.median(set_times) * 1e6,
                        statistics.median(get_times) * 1e6,
                    )
                )
    return rows


def storage_table(rows: list[StorageRow]) -> str:
    """Return ``rows`` as a Markdown table, bytes and times relative to pickle alone."""
    base = next(r for r in rows if (r.serializer, r.compressor) == ("pickle", "none"))
    lines = [
        "| Serializer | Compressor | Value bytes | `MEMORY USAGE` | Relative size | Set | Get |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {r.serializer} | {r.compressor} | {r.value_bytes:,} | {r.bytes:,} "
        f"| {r.value_bytes / base.value_bytes:.2f}x "
        f"| {r.set_us:.0f} µs | {r.get_us:.0f} µs |"
        for r in rows
    ]
    return "\n".join(lines)


def run_storage(size: str, repeat: int) -> str:
    """Measure the bookshop's list page in every storage format, on a private redis-server."""
    import json
    import tempfile

    from .redis_server import free_port, start_redis_server

    sandbox.start(size)
    page = json.loads(sandbox.client("anonymous").get("/api/uncached/books/").content)
    port = free_port()
    with tempfile.TemporaryDirectory() as workdir:
        server = start_redis_server(port, Path(workdir))
        try:
            rows = measure_storage(f"redis://127.0.0.1:{port}/0", page, repeat)
        finally:
            server.kill()
            server.wait(timeout=10)
    return storage_table(rows)


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


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=sorted([*SCENARIOS, STORAGE_SCENARIO]))
    parser.add_argument("--size", default="bench", choices=["small", "bench"])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args(argv)

    if args.scenario == STORAGE_SCENARIO:
        output = run_storage(args.size, args.repeat)
        what = (
            "The bookshop's 50-row list page as JSON data, on a local redis-server, "
            f"{args.repeat} sets and gets per row"
        )
    else:
        sandbox.start(args.size)
        client = sandbox.client("alice-token")
        variants = SCENARIOS[args.scenario]
        output = table([measure(client, variant, args.repeat) for variant in variants])
        what = f"One 50-row page as alice (token), {args.repeat} requests per variant"
    print(output)
    if args.write:
        command = f"python -m recipes.bookshop.bench {args.scenario} --size {args.size}"
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(
            f"{output}\n\n<small>{what}, `{args.size}` data set. Regenerate with "
            f"`{command} --write {args.write}` or `python3 noxfile.py -s bench`.</small>\n"
        )
    return output


if __name__ == "__main__":
    main()
