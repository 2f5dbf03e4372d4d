"""The ways cache tests are often written, and what each gets wrong."""

import time

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from rest_framework.test import APIClient

from harness.testing import RedisServer
from recipes.testing.cache_testing import (
    CommittingAPIClient,
    assert_fresh_after,
    caches_for_tests,
)

from .naive import caches_per_worker, rename_and_reread

DJANGO_REDIS = {
    "BACKEND": "django_redis.cache.RedisCache",
    "LOCATION": "redis://cache.internal:6379/0",
}


def alice():
    return get_user_model().objects.get(username="alice")


# --8<-- [start:key_prefix_pitfall]
def test_a_key_prefix_per_worker_does_not_keep_a_clear_from_the_others(settings):
    shared = caches_for_tests({"default": DJANGO_REDIS}, {})  # one fakeredis database
    settings.CACHES = {
        worker: caches_per_worker(shared, worker)["default"]
        for worker in ("gw0", "gw1")
    }
    caches["gw1"].set("entry", "gw1's")

    caches["gw0"].clear()  # FLUSHDB: every prefix goes

    assert caches["gw1"].get("entry") is None


# --8<-- [end:key_prefix_pitfall]


# --8<-- [start:rolled_back_pitfall]
def test_a_plain_test_client_never_runs_the_invalidation_a_commit_would(book_id):
    plain = APIClient()  # every request runs inside the test's transaction
    plain.force_authenticate(alice())
    books, book = "/api/signals/books/", f"/api/signals/books/{book_id}/"
    plain.get(books)

    stale = rename_and_reread(plain, books, book)

    assert "Renamed" not in stale.content.decode()  # the bump waits for a commit
    with pytest.raises(AssertionError, match="is stale after the write"):
        assert_fresh_after(plain, books, lambda: rename_and_reread(plain, books, book))


def test_a_committing_client_runs_it_and_the_same_test_passes(book_id):
    client = CommittingAPIClient()
    client.force_authenticate(alice())
    books, book = "/api/signals/books/", f"/api/signals/books/{book_id}/"

    assert_fresh_after(client, books, lambda: rename_and_reread(client, books, book))


# --8<-- [end:rolled_back_pitfall]


# --8<-- [start:clock_pitfall]
@pytest.mark.real_redis
def test_moving_the_clock_does_not_expire_an_entry_in_a_real_redis(
    settings, redis_server: RedisServer, time_machine
):
    settings.CACHES = {"default": {**DJANGO_REDIS, "LOCATION": redis_server.url}}
    cache = caches["default"]
    cache.set("entry", "value", timeout=60)

    time_machine.move_to(time.time() + 3600)  # an hour passes here, not in Redis

    assert cache.get("entry") == "value"
    assert 0 < cache.ttl("entry") <= 60  # (1)!


# --8<-- [end:clock_pitfall]
