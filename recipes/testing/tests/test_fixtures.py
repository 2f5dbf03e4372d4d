"""The fixtures and helpers do what the page says, and fail when the cache does not."""

import pytest
from django.core.cache import caches
from django.db import connection

from harness.testing import RedisServer
from recipes.bookshop import sandbox
from recipes.testing.cache_testing import (
    CommittingAPIClient,
    assert_cached,
    assert_fresh_after,
    caches_for_tests,
    counted_get,
    expires_by_process_clock,
    worker_redis_url,
)

VERSIONED_BOOKS = "/api/versioning/books/"
UNCACHED_BOOKS = "/api/uncached/books/"
DJANGO_REDIS = {
    "BACKEND": "django_redis.cache.RedisCache",
    "LOCATION": "redis://cache.internal:6379/0",
    "OPTIONS": {"IGNORE_EXCEPTIONS": True},
}
BUILTIN_REDIS = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": "redis://cache.internal:6379/0",
}
LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}


def uncached_queries(path: str) -> int:
    return len(counted_get(CommittingAPIClient(), path)[1])


# --8<-- [start:assert_cached_use]
def test_assert_cached_passes_when_the_hit_runs_no_query(bookshop):
    miss_queries = uncached_queries(UNCACHED_BOOKS)

    assert_cached(CommittingAPIClient(), VERSIONED_BOOKS, miss_queries=miss_queries)


def test_assert_cached_fails_when_nothing_is_cached(bookshop):
    miss_queries = uncached_queries(UNCACHED_BOOKS)

    with pytest.raises(
        AssertionError, match=f"a hit of {UNCACHED_BOOKS} ran {miss_queries}"
    ):
        assert_cached(CommittingAPIClient(), UNCACHED_BOOKS, miss_queries=miss_queries)


# --8<-- [end:assert_cached_use]


def test_assert_cached_lists_the_first_queries_a_hit_ran(bookshop):
    miss_queries = uncached_queries(UNCACHED_BOOKS)

    with pytest.raises(
        AssertionError, match=r"(?s)queries:\s+1\. SELECT.* and \d+ more"
    ):
        assert_cached(CommittingAPIClient(), UNCACHED_BOOKS, miss_queries=miss_queries)


def test_assert_cached_fails_when_the_cache_was_already_warm(bookshop):
    client = CommittingAPIClient()
    client.get(VERSIONED_BOOKS)  # as a test before this one might have

    with pytest.raises(AssertionError, match=r"a miss of .* ran 0 queries"):
        assert_cached(client, VERSIONED_BOOKS, miss_queries=1)


# --8<-- [start:assert_fresh_after_use]
def test_assert_fresh_after_passes_for_a_recipe_that_invalidates(book_id):
    alice = sandbox.client("alice-token")  # a CommittingAPIClient with alice's token
    book = f"/api/signals/books/{book_id}/"

    def rename():
        alice.patch(book, {"title": "Renamed"}, format="json")

    assert_fresh_after(alice, "/api/signals/books/", rename)


def test_assert_fresh_after_fails_for_a_recipe_that_serves_stale_entries(book_id):
    alice = sandbox.client("alice-token")
    book = f"/api/cache-page/books/{book_id}/"

    def rename():
        alice.patch(book, {"title": "Renamed"}, format="json")

    with pytest.raises(AssertionError, match="is stale after the write"):
        assert_fresh_after(alice, "/api/cache-page/books/", rename)


# --8<-- [end:assert_fresh_after_use]


def test_committing_client_runs_on_commit_callbacks_once(bookshop):
    ran = []
    client = CommittingAPIClient()
    connection.on_commit(lambda: ran.append("registered before the request"))

    client.get(UNCACHED_BOOKS)

    assert ran == []  # a callback of the test's own is left to the test
    assert len(connection.run_on_commit) == 1


# --8<-- [start:cache_clock_use]
def test_an_entry_expires_when_the_clock_passes_its_timeout(bookshop, cache_clock):
    client = CommittingAPIClient()
    assert_cached(
        client, VERSIONED_BOOKS, miss_queries=uncached_queries(UNCACHED_BOOKS)
    )

    cache_clock(299)
    assert counted_get(client, VERSIONED_BOOKS)[1] == []  # still a hit
    cache_clock(2)
    assert counted_get(client, VERSIONED_BOOKS)[1] != []  # expired: a miss


# --8<-- [end:cache_clock_use]


def test_cache_clock_moves_a_locmem_cache_too(settings, cache_clock):
    settings.CACHES = {"default": LOCMEM}
    caches["default"].set("key", "value", timeout=60)

    cache_clock(61)

    assert caches["default"].get("key") is None


def test_only_locmem_and_fakeredis_expire_by_the_process_clock(settings, redis_server):
    settings.CACHES = {
        "default": LOCMEM,
        "fake": caches_for_tests({"fake": DJANGO_REDIS}, {})["fake"],
        "real": {**DJANGO_REDIS, "LOCATION": redis_server.url},
        "builtin": {**BUILTIN_REDIS, "LOCATION": redis_server.url},
        "dummy": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }

    assert {alias: expires_by_process_clock(alias) for alias in settings.CACHES} == {
        "default": True,
        "fake": True,
        "real": False,
        "builtin": False,
        "dummy": False,
    }


# --8<-- [start:worker_databases]
@pytest.mark.parametrize(
    ("url", "worker", "expected"),
    [
        ("redis://127.0.0.1:6379/1", None, "redis://127.0.0.1:6379/1"),
        ("redis://127.0.0.1:6379/1", "gw0", "redis://127.0.0.1:6379/1"),
        ("redis://127.0.0.1:6379/1", "gw3", "redis://127.0.0.1:6379/4"),
        ("redis://127.0.0.1:6379", "gw2", "redis://127.0.0.1:6379/2"),
    ],
)
def test_each_xdist_worker_gets_a_database_of_its_own(url, worker, expected):
    assert worker_redis_url(url, worker) == expected


# --8<-- [end:worker_databases]


def test_too_many_workers_for_the_databases_is_a_clear_error():
    with pytest.raises(ValueError, match="needs Redis database 16, and Redis has 16"):
        worker_redis_url("redis://127.0.0.1:6379/1", "gw15")


def test_a_url_that_is_not_redis_is_a_clear_error():
    with pytest.raises(ValueError, match="TEST_REDIS_URL must look like"):
        worker_redis_url("rediss://cache/0", "gw0")


def test_caches_for_tests_points_every_redis_cache_at_the_test_redis():
    tested = caches_for_tests(
        {"default": DJANGO_REDIS, "builtin": BUILTIN_REDIS, "local": LOCMEM},
        {"TEST_REDIS_URL": "redis://127.0.0.1:7000/1", "PYTEST_XDIST_WORKER": "gw1"},
    )

    assert tested == {
        "default": {**DJANGO_REDIS, "LOCATION": "redis://127.0.0.1:7000/2"},
        "builtin": {**BUILTIN_REDIS, "LOCATION": "redis://127.0.0.1:7000/2"},
        "local": LOCMEM,
    }


def test_caches_for_tests_keeps_every_option_on_fakeredis():
    import fakeredis

    tested = caches_for_tests({"default": DJANGO_REDIS, "builtin": BUILTIN_REDIS}, {})

    assert tested["default"]["OPTIONS"] == {
        "IGNORE_EXCEPTIONS": True,
        "CONNECTION_POOL_KWARGS": {"connection_class": fakeredis.FakeRedisConnection},
    }
    assert tested["builtin"]["OPTIONS"] == {
        "connection_class": fakeredis.FakeRedisConnection
    }


@pytest.mark.real_redis
def test_a_clear_in_one_workers_database_leaves_the_others_entries(
    settings, redis_server: RedisServer
):
    environ = {"TEST_REDIS_URL": redis_server.url.replace("/0", "/1")}
    settings.CACHES = {
        worker: caches_for_tests(
            {"default": DJANGO_REDIS}, environ | {"PYTEST_XDIST_WORKER": worker}
        )["default"]
        for worker in ("gw0", "gw1")
    }
    for worker in ("gw0", "gw1"):
        caches[worker].set("entry", worker)

    caches["gw0"].clear()

    assert (caches["gw0"].get("entry"), caches["gw1"].get("entry")) == (None, "gw1")
