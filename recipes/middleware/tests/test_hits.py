"""A hit is one cache read, after DRF has authenticated the caller, and nothing else."""

from collections import Counter

import pytest
from django.core.cache import cache

from harness.consistency import WRITES
from harness.testing import (
    Timing,
    authentication_cache_reads,
    timing,
)
from recipes.bookshop.measuring import counting_cache_calls

BOOKS = "/api/middleware/books/"
AUTHORS = "/api/middleware/authors/"


def stored_entries() -> list[str]:
    return cache.keys("response:*")


# --8<-- [start:hit]
def test_a_hit_is_one_cache_read(api_client):
    client = api_client("alice-token")
    client.get(BOOKS)  # a miss: the entry is stored

    with counting_cache_calls() as calls:
        through_drf = client.get(BOOKS)  # DRF authenticates, then reads the entry
    assert timing(through_drf).cache == "hit"
    assert +calls == (
        Counter(mget=1)  # the caller's alias, as stored: not stored yet
        + authentication_cache_reads("alice-token")
        + Counter(get=1, set=1)  # the entry; then the alias, for the next hits
    )

    with counting_cache_calls() as calls:
        hit = client.get(BOOKS)
    assert timing(hit).cache == "hit"
    assert +calls == Counter(mget=1)  # the alias, with the token's auth-cache entry


# --8<-- [end:hit]


def test_one_entry_holds_the_status_the_headers_and_the_rendered_bytes(api_client):
    response = api_client("bob-session").get(BOOKS)

    [key] = stored_entries()
    entry = cache.get(key)
    assert entry["status"] == 200
    assert entry["content"] == response.content
    headers = dict(entry["headers"])
    assert headers["Content-Type"] == "application/json"
    assert not {"Set-Cookie", "Server-Timing", "Content-Length"} & set(headers)


@pytest.mark.parametrize(
    ("path", "seconds"),
    [(BOOKS, 60), (f"{BOOKS}1/", 60), (AUTHORS, 300), (f"{AUTHORS}2/", 300)],
)
def test_each_prefix_keeps_entries_for_its_own_timeout(api_client, path, seconds):
    api_client("anonymous").get(path)

    [key] = stored_entries()
    assert seconds - 5 < cache.ttl(key) <= seconds


def test_a_bypassed_prefix_is_never_cached(api_client):
    client = api_client("anonymous")
    outcomes = [timing(client.get("/api/middleware/reviews/")).cache for _ in range(2)]

    assert outcomes == ["bypass", "bypass"]
    assert stored_entries() == []


# --8<-- [start:head]
@pytest.mark.parametrize("kind", ["anonymous", "alice-token", "bob-session"])
def test_head_is_answered_from_the_get_entry_without_a_body(api_client, kind):
    client = api_client(kind)
    get = client.get(BOOKS)

    head = client.head(BOOKS)

    assert timing(head) == Timing("hit", 0)
    assert head.content == b""
    assert int(head["Content-Length"]) == len(get.content)
    assert head["Content-Type"] == get["Content-Type"]


# --8<-- [end:head]


def test_a_head_miss_fills_the_entry_get_is_served_from(api_client):
    client = api_client("anonymous")
    client.head(BOOKS)

    get = client.get(BOOKS)

    assert timing(get).cache == "hit"
    assert get.json()["count"] > 0


@pytest.mark.parametrize(("method", "path", "payload"), WRITES)
def test_writes_bypass_the_cache_and_store_nothing(api_client, method, path, payload):
    if payload and "book_id" in payload:
        payload = {**payload, "book_id": 1}
    response = getattr(api_client("alice-token"), method)(
        f"/api/middleware/{path.format(id=1)}", payload, format="json"
    )

    assert response.status_code < 300, response.content
    assert timing(response).cache == "bypass"
    assert stored_entries() == []


@pytest.mark.parametrize(
    ("kind", "path", "status"),
    [
        ("anonymous", f"{BOOKS}999999/", 404),
        ("anonymous", f"{BOOKS}?page=999", 404),
        ("alice-token", f"{BOOKS}?{'&'.join(f'p{n}=1' for n in range(2000))}", 400),
    ],
)
def test_error_responses_are_never_stored(api_client, kind, path, status):
    client = api_client(kind)
    for _ in range(2):
        response = client.get(path)
        assert response.status_code == status
    assert stored_entries() == []


# --8<-- [start:revoked]
def test_a_revoked_token_gets_a_401_not_its_cached_page(api_client, revoke_token):
    client = api_client("alice-token")
    client.get(BOOKS)
    revoke_token("alice")

    response = client.get(BOOKS)

    assert response.status_code == 401
    assert timing(response).cache == "bypass"


# --8<-- [end:revoked]
