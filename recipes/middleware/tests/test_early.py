"""Hits answered before DRF's dispatch, in one ``get_many``, with the full path's
semantics: an ended credential or a changed session ends them at once, an alias never
outlives the entry it copies, and a view whose hits must pass DRF's checks keeps them
behind its dispatch."""

import pytest
from django.core.cache import cache

from harness.early_path import EarlyPathChecks, exchanged
from harness.testing import timing
from recipes.middleware import response_cache

BOOKS = "/api/middleware/books/"
JSON = {"HTTP_ACCEPT": "application/json"}
KINDS = ["anonymous", "alice-token", "alice-session"]


def aliases() -> list[str]:
    return cache.keys("response.early:*")


# --8<-- [start:hit]
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("page", ["", "{book_id}/"])
def test_an_early_hit_is_one_get_many_no_query_and_no_dispatch(
    api_client, kind, page, book_id, counted, django_assert_num_queries, monkeypatch
):
    client = api_client(kind)
    path = BOOKS + page.format(book_id=book_id)
    missed = client.get(path, **JSON)  # a miss: the entry, and no alias yet
    assert (timing(missed).cache, aliases()) == ("miss", [])
    with monkeypatch.context() as unaliased:
        unaliased.setattr(response_cache, "current_alias", lambda cache, key: None)
        through_drf = client.get(path, **JSON)  # the full path's hit: and the alias
    assert (timing(through_drf).cache, counted.dispatch) == ("hit", 2)
    counted.restart()
    with django_assert_num_queries(0):
        hit = client.get(path, **JSON)
    assert timing(hit).cache == "hit"
    assert (counted.dispatch, counted.redis) == (0, ["MGET"])
    assert exchanged(hit) == exchanged(through_drf)  # byte for byte


# --8<-- [end:hit]


# --8<-- [start:expiry]
def test_an_alias_expires_no_later_than_the_entry_it_copies(api_client, monkeypatch):
    """Nothing invalidates an entry: its timeout is how stale a reader may be served,
    and an alias stored later must not stretch it."""
    client = api_client("alice-token")
    client.get(BOOKS, **JSON)
    (entry,) = cache.keys("response:*")
    stored = cache.get(entry)
    monkeypatch.setattr(response_cache.time, "time", lambda: stored["expires"] - 20)
    client.get(BOOKS, **JSON)  # 40 of the entry's 60 seconds later
    (alias,) = aliases()
    assert 0 < cache.ttl(alias) <= 20


# --8<-- [end:expiry]


def test_an_alias_does_not_outlive_its_session(api_client):
    client = api_client("alice-session")
    session = client.session
    session.set_expiry(42)
    session.save()
    client.get(BOOKS, **JSON)
    client.get(BOOKS, **JSON)
    (alias,) = aliases()
    assert 0 < cache.ttl(alias) <= 42


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/api/middleware/reviews/", JSON),  # a bypassed prefix
        (BOOKS, JSON | {"HTTP_CACHE_CONTROL": "no-store"}),
    ],
)
def test_what_the_full_path_does_not_cache_has_no_alias(
    api_client, path, headers, counted
):
    client = api_client("alice-token")
    answers = [client.get(path, **headers) for _ in range(3)]
    assert {timing(a).cache for a in answers} == {"bypass"}
    assert (counted.dispatch, aliases()) == (3, [])


@pytest.mark.urls("recipes.middleware.tests.early")
def test_a_view_that_opts_out_answers_every_hit_through_drf(api_client, counted):
    client = api_client("alice-token")
    answers = [client.get("/api/middleware/through-drf/books/") for _ in range(3)]
    assert [timing(a).cache for a in answers] == ["miss", "hit", "hit"]
    assert (counted.dispatch, aliases()) == (3, [])


class TestTheFullPathsChecks(EarlyPathChecks):
    books = BOOKS
    early_module = response_cache
    checks_urlconf = "recipes.middleware.tests.early"
    checks_root = "/api/middleware/"
