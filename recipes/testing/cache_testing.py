# From the DRF caching cookbook 0.8.2 (its CHANGELOG.md says what changed since).
# Supports Django 5.2 LTS (5.2.19+) on Python 3.11+, and Django 6 on Python 3.12+.
"""Fixtures and helpers for testing cache behaviour, for a project's ``conftest.py``.

What a test suite gets from this module (``pytest_plugins = ["myapp.cache_testing"]``):

* Every cache is cleared before and after each test (``isolated_caches``, used by every
  test): no test sees an entry that another test left, whatever order they run in.
* ``caches_for_tests(CACHES)``, for the test settings: the project's own ``CACHES`` with
  every Redis entry pointed at the Redis named by ``TEST_REDIS_URL`` (CI), or at an
  in-process fakeredis when it is not set (a laptop). Every other option is kept, so the
  tests run the serializer, compressor and ``IGNORE_EXCEPTIONS`` that production runs.
  Under pytest-xdist each worker gets a Redis database of its own: a ``clear()`` is a
  ``FLUSHDB``, and a key prefix per worker would not keep it from the others' entries.
* ``CommittingAPIClient``: a DRF test client whose requests end as committed requests do.
  A test runs inside a transaction that is rolled back, so ``transaction.on_commit``
  callbacks (where invalidation belongs) would otherwise never run.
* ``assert_cached(client, path, miss_queries=..., hit_queries=...)``: the first request
  runs the queries of a miss, the second those of a hit, and both answer the same bytes.
* ``assert_fresh_after(client, path, write)``: after ``write``, the cached answer is the
  one an empty cache gives.
* ``cache_clock``: a fixture that moves the clock that locmem and fakeredis expire entries
  by (time-machine's ``time_machine`` fixture). A real Redis keeps its own clock, so the
  fixture refuses it: assert the timeout an entry was stored with (``cache.ttl(key)``).
"""

import os
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import caches
from django.db import connection
from django.http import HttpResponseBase
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

REDIS_BACKENDS = ("django_redis.cache.RedisCache", "django.core.cache.backends.redis.")
REDIS_DATABASES = 16  # redis.conf's default `databases`


# --8<-- [start:isolated_caches]
@pytest.fixture(autouse=True)
def isolated_caches() -> Iterator[None]:
    """Start and end every test with every cache empty."""
    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()  # (1)!


# --8<-- [end:isolated_caches]


# --8<-- [start:caches_for_tests]
def caches_for_tests(
    caches_setting: dict[str, dict[str, Any]], environ: dict[str, str] | None = None
) -> dict[str, dict[str, Any]]:
    """Return ``caches_setting`` with each Redis cache pointed at the tests' Redis.

    That is the Redis at ``TEST_REDIS_URL``, in this xdist worker's own database, or an
    in-process fakeredis when the variable is not set. Other caches are kept as they are.
    """
    environ = os.environ if environ is None else environ
    url = environ.get("TEST_REDIS_URL")
    worker = environ.get("PYTEST_XDIST_WORKER")
    tested = {}
    for alias, entry in caches_setting.items():
        if not entry["BACKEND"].startswith(REDIS_BACKENDS):
            tested[alias] = entry
        elif url:
            tested[alias] = {**entry, "LOCATION": worker_redis_url(url, worker)}
        else:
            tested[alias] = with_fakeredis(entry)
    return tested


def worker_redis_url(url: str, worker: str | None) -> str:
    """Return ``url`` moved to this xdist worker's database: the URL's own database for
    ``gw0`` (or no xdist), the next one for ``gw1``, and so on."""
    match = re.fullmatch(r"(?P<server>redis://[^/]+)(?:/(?P<db>\d+))?", url)
    if match is None:
        raise ValueError(
            f"TEST_REDIS_URL must look like redis://host:port/1; got {url!r}"
        )
    first = int(match["db"] or 0)
    database = first + (int(worker.removeprefix("gw")) if worker else 0)
    if database >= REDIS_DATABASES:
        raise ValueError(
            f"xdist worker {worker} needs Redis database {database}, and Redis has "
            f"{REDIS_DATABASES} (0-{REDIS_DATABASES - 1}): start from a lower database "
            "in TEST_REDIS_URL, run fewer workers, or raise `databases` in redis.conf"
        )
    return f"{match['server']}/{database}"


def with_fakeredis(entry: dict[str, Any]) -> dict[str, Any]:
    """Return a Redis ``CACHES`` entry that talks to an in-process fakeredis instead."""
    import fakeredis

    options = dict(entry.get("OPTIONS", {}))
    connection_class = {"connection_class": fakeredis.FakeRedisConnection}  # (1)!
    if entry["BACKEND"].startswith("django_redis"):
        pool = options.get("CONNECTION_POOL_KWARGS", {})
        options["CONNECTION_POOL_KWARGS"] = {**pool, **connection_class}
    else:  # Django's own RedisCache passes its OPTIONS to the connection pool
        options |= connection_class
    return {**entry, "LOCATION": "redis://fakeredis:6379/0", "OPTIONS": options}


# --8<-- [end:caches_for_tests]


# --8<-- [start:committing_client]
class CommittingAPIClient(APIClient):
    """A test client whose requests end as committed requests do: the
    ``transaction.on_commit`` callbacks a request registers run when it returns."""

    def request(self, **request: Any) -> Any:
        pending = connection.run_on_commit
        already = len(pending)
        try:
            with TestCase.captureOnCommitCallbacks(execute=True):
                return super().request(**request)
        finally:  # (1)!
            del pending[already:]


# --8<-- [end:committing_client]


# --8<-- [start:assert_cached]
def assert_cached(
    client: APIClient,
    path: str,
    *,
    miss_queries: int,
    hit_queries: int = 0,
    **headers: Any,
) -> HttpResponseBase:
    """Request ``path`` twice on a cold cache: the first request must run
    ``miss_queries`` queries, the second ``hit_queries``, and both must answer 200 with
    the same body. Return the second response."""
    miss, miss_sql = counted_get(client, path, **headers)
    hit, hit_sql = counted_get(client, path, **headers)
    assert miss.status_code == hit.status_code == 200, (miss, hit)
    assert len(miss_sql) == miss_queries, explain("a miss", path, miss_sql)
    assert len(hit_sql) == hit_queries, explain("a hit", path, hit_sql)
    assert hit.content == miss.content, f"a hit of {path} changed the body"
    return hit


def counted_get(
    client: APIClient, path: str, **headers: Any
) -> tuple[HttpResponseBase, list[str]]:
    """Return the response to ``GET path`` and the SQL of every query it ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, **headers)
    return response, [query["sql"] for query in queries.captured_queries]


def explain(what: str, path: str, sql: list[str], shown: int = 10) -> str:
    """Say how many queries ran, and list the first ``shown`` of them."""
    listed = "".join(f"\n  {n}. {query}" for n, query in enumerate(sql[:shown], 1))
    more = f"\n  ... and {len(sql) - shown} more" if len(sql) > shown else ""
    return f"{what} of {path} ran {len(sql)} queries:{listed}{more}"


# --8<-- [end:assert_cached]


# --8<-- [start:assert_fresh_after]
def assert_fresh_after(
    client: APIClient, path: str, write: Callable[[], Any], **headers: Any
) -> None:
    """Read ``path`` so that it is cached, run ``write``, and read it again: the answer
    must be the one an empty cache gives now."""
    client.get(path, **headers)
    write()
    cached = client.get(path, **headers)
    for cache in caches.all():
        cache.clear()  # (1)!
    fresh = client.get(path, **headers)
    assert (cached.status_code, cached.content) == (fresh.status_code, fresh.content), (
        f"{path} is stale after the write: {cached.content[:300]!r} "
        f"where an empty cache answers {fresh.content[:300]!r}"
    )


# --8<-- [end:assert_fresh_after]


# --8<-- [start:cache_clock]
@pytest.fixture
def cache_clock(time_machine: Any) -> Callable[[float], None]:
    """Return ``advance(seconds)``, which moves the clock that the caches expire by.

    The clock stands still at the current time until the test moves it."""
    refused = [alias for alias in caches if not expires_by_process_clock(alias)]
    if refused:
        pytest.fail(
            f"cache {refused[0]!r} expires entries by its server's clock, which no "
            "test can move: assert the timeout it stored instead, with cache.ttl(key)"
        )
    time_machine.move_to(time.time(), tick=False)  # (1)!
    return time_machine.shift


def expires_by_process_clock(alias: str) -> bool:
    """Whether the cache ``alias`` expires entries by this process's ``time.time()``:
    locmem and fakeredis do; a Redis server and memcached keep their own clocks."""
    cache = caches[alias]
    backend = f"{type(cache).__module__}.{type(cache).__qualname__}"
    if not backend.startswith(REDIS_BACKENDS):
        return backend == "django.core.cache.backends.locmem.LocMemCache"
    import fakeredis

    if backend.startswith("django_redis"):
        pool = cache.client.get_client().connection_pool
    else:
        pool = cache._cache.get_client().connection_pool
    return issubclass(pool.connection_class, fakeredis.FakeRedisConnection)


# --8<-- [end:cache_clock]
