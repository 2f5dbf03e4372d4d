"""Bumps are atomic, evictions never revive an old generation, namespaces stay apart."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import cache

from harness.testing import timing
from recipes.settings import redis_cache
from recipes.versioned.namespaces import Namespaces

BOOKS = "/api/versioning/books/"


# --8<-- [start:concurrent]
@pytest.mark.real_redis
def test_concurrent_bumps_from_threads_are_never_lost(settings, redis_server):
    settings.CACHES = {"default": redis_cache(redis_server.url)}
    namespaces = Namespaces()
    [start] = namespaces.versions(["books"]).values()

    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(400):
            pool.submit(namespaces.bump, ["books"])

    assert namespaces.versions(["books"]) == {"books": start + 400}


# --8<-- [end:concurrent]


# --8<-- [start:eviction]
def test_an_evicted_version_never_brings_old_entries_back(api_client, book):
    client = api_client("alice-token")
    client.get(f"{BOOKS}{book.pk}/")  # stored under the current version
    client.patch(f"{BOOKS}{book.pk}/", {"title": "New"}, format="json")  # bump

    cache.delete_many(["ns:books", "ns:authors"])  # evicted under memory pressure

    response = client.get(f"{BOOKS}{book.pk}/")
    assert timing(response).cache == "miss"
    assert response.json()["title"] == "New"


# --8<-- [end:eviction]


def test_a_fresh_start_is_above_every_version_before_it(bookshop):
    namespaces = Namespaces()
    before = namespaces.versions(["books"])["books"]
    for _ in range(50):
        namespaces.bump(["books"])
    cache.delete("ns:books")

    assert namespaces.versions(["books"])["books"] > before + 50


def test_bumping_a_namespace_that_was_evicted_starts_it_fresh(bookshop):
    namespaces = Namespaces()
    namespaces.bump(["never-read"])
    assert namespaces.versions(["never-read"])["never-read"] > 1_000_000


def test_a_bump_that_meets_a_readers_fresh_start_still_moves_past_it(
    bookshop, monkeypatch
):
    """An evicted version: a reader starts it, then the write's bump finds it there."""
    namespaces = Namespaces()
    cache.delete("ns:books")
    seen_by_reader = {}
    real_incr = cache.incr

    def reader_starts_it_first(key, *args, **kwargs):
        if not seen_by_reader:  # between the bump's failed incr and its add
            seen_by_reader.update(namespaces.versions(["books"]))
            raise ValueError(f"Key '{key}' not found")
        return real_incr(key, *args, **kwargs)

    monkeypatch.setattr(cache, "incr", reader_starts_it_first)
    namespaces.bump(["books"])

    assert namespaces.versions(["books"])["books"] > seen_by_reader["books"]


def test_one_users_favorite_leaves_other_users_entries_alone(api_client, book):
    alice, bob = api_client("alice-token"), api_client("bob-token")
    alice.get(BOOKS)
    bob.get(BOOKS)

    alice.post(f"{BOOKS}{book.pk}/favorite/")

    assert timing(bob.get(BOOKS)).cache == "hit"
    assert timing(alice.get(BOOKS)).cache == "miss"


def test_a_review_leaves_book_titles_fresh_and_moves_ratings(api_client, book):
    client = api_client("alice-token")
    client.get("/api/versioning/authors/")
    client.post(
        "/api/versioning/reviews/", {"book_id": book.pk, "rating": 5}, format="json"
    )
    assert timing(client.get("/api/versioning/authors/")).cache == "miss"


def test_when_the_cache_is_down_responses_come_from_the_database(settings, api_client):
    settings.CACHES = {
        "default": redis_cache("redis://127.0.0.1:1/0")
    }  # nothing listens
    client = api_client("bob-token")

    responses = [client.get(BOOKS) for _ in range(2)]

    assert [r.status_code for r in responses] == [200, 200]
    assert [timing(r).cache for r in responses] == ["bypass", "bypass"]


def test_django_incr_version_moves_one_key_not_a_namespace(bookshop):
    cache.set("books:list:1", "old page 1")
    cache.set("books:list:2", "old page 2")

    cache.incr_version("books:list:1")

    assert cache.get("books:list:1") is None  # moved to version 2 ...
    assert cache.get("books:list:1", version=2) == "old page 1"
    assert cache.get("books:list:2") == "old page 2"  # ... and page 2 is still served


def test_a_read_that_fails_once_leaves_the_next_failure_empty(monkeypatch):
    """django-redis answers every failed ``get_many`` with one shared dict; a reader
    that added to it would hand its versions to the next failure, as if read."""
    from django_redis.exceptions import ConnectionInterrupted

    real_get_many, failures = cache.client.get_many, iter([True])

    def fails_first(*args, **kwargs):
        if next(failures, False):
            raise ConnectionInterrupted(connection=None)
        return real_get_many(*args, **kwargs)

    monkeypatch.setattr(cache.client, "get_many", fails_first)
    Namespaces().read(["books"], "an-entry")  # fails, then starts the version

    failures = iter([True])
    assert cache.get_many(["ns:books"]) == {}  # a failure still reads as nothing


def test_a_bump_the_cache_refuses_is_logged_with_its_namespaces(settings, caplog):
    from recipes.redis_config.redis_cache import django_redis_cache

    settings.CACHES = {"default": django_redis_cache("redis://127.0.0.1:1/0")}
    with caplog.at_level("WARNING", "recipes.versioned"):
        Namespaces("default").bump({"books", "favorites:7"})

    assert "Could not bump ['books', 'favorites:7']" in caplog.text
