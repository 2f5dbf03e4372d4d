"""Hits answered before DRF's dispatch, in one ``get_many``, with the full path's
semantics: a bumped namespace, an ended credential or a changed session ends them at once;
a view whose hits must pass DRF's checks keeps them behind its dispatch."""

import pytest

from harness.early_path import EarlyPathChecks, exchanged, token_deleted
from harness.testing import timing
from recipes.versioned import early

BOOKS = "/api/versioning/books/"
JSON = {"HTTP_ACCEPT": "application/json"}
KINDS = ["anonymous", "alice-token", "alice-session"]


# --8<-- [start:hit]
def test_a_miss_stores_no_alias_and_a_hit_through_drf_does(api_client, counted):
    """Under writes, most entries are never read again: an alias, a write of its own,
    waits until an entry has been read twice."""
    client = api_client("alice-token")
    answers = [client.get(BOOKS, **JSON) for _ in range(3)]
    assert [timing(a).cache for a in answers] == ["miss", "hit", "hit"]
    assert counted.dispatch == 2


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("page", ["", "{book_id}/"])
def test_an_early_hit_is_one_get_many_no_query_and_no_dispatch(
    api_client, kind, page, book_id, counted, django_assert_num_queries, monkeypatch
):
    client = api_client(kind)
    path = BOOKS + page.format(book_id=book_id)
    client.get(path, **JSON)  # a miss: the entry
    with monkeypatch.context() as unaliased:
        unaliased.setattr(early, "current_alias", lambda cache, key: None)
        through_drf = client.get(path, **JSON)  # the full path's hit: and the alias
    assert (timing(through_drf).cache, counted.dispatch) == ("hit", 2)
    counted.restart()
    with django_assert_num_queries(0):
        hit = client.get(path, **JSON)
    assert timing(hit).cache == "hit"
    assert (counted.dispatch, counted.redis) == (0, ["MGET"])
    assert exchanged(hit) == exchanged(through_drf)  # byte for byte


# --8<-- [end:hit]


def test_a_write_ends_the_hits_that_showed_it_and_no_other(
    api_client, book_id, django_capture_on_commit_callbacks
):
    alice, bob = api_client("alice-token"), api_client("bob-token")
    for client in (alice, bob):
        client.get(BOOKS, **JSON)
    with django_capture_on_commit_callbacks(execute=True):
        alice.post(f"{BOOKS}{book_id}/favorite/")  # alice's favourites change
    after = {name: c.get(BOOKS, **JSON) for name, c in [("alice", alice), ("bob", bob)]}
    assert timing(after["alice"]).cache == "miss"
    assert timing(after["bob"]).cache == "hit"
    shown = {b["id"]: b["is_favorite"] for b in after["alice"].json()["results"]}
    assert shown[book_id] is False  # alice had it as a favourite: toggled off


def test_an_alias_does_not_outlive_its_session(api_client, monkeypatch):
    stored = []
    monkeypatch.setattr(early, "remember", lambda key, alias: stored.append(key))
    client = api_client("alice-session")
    session = client.session
    session.set_expiry(42)
    session.save()
    client.get(BOOKS, **JSON)
    client.get(BOOKS, **JSON)
    (key,) = stored
    assert 0 < early.caches["default"].ttl(key) <= 42


class TestTheFullPathsChecks(EarlyPathChecks):
    books = BOOKS
    early_module = early
    checks_urlconf = "recipes.versioning.tests.early"


# --8<-- [start:naive_memo]
def alias_bytes_alone(self, key, read):
    """The naive memo: the alias's bytes as before, so the alias as before."""
    held = self._held.get(key)
    return held[1] if held is not None and held[0][0] == read[0] else None


def test_naive_memo_of_the_alias_alone_serves_a_deleted_token_its_page(
    api_client, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(early.VerifiedAliases, "alias_read_as", alias_bytes_alone)
    client = api_client("alice-token")
    for _ in range(3):  # a miss; a hit through DRF (the alias); an early hit
        client.get(BOOKS, **JSON)
    with django_capture_on_commit_callbacks(execute=True):
        token_deleted()  # the alias's bytes stay; the token's entry is a tombstone
    after = client.get(BOOKS, **JSON)
    assert (after.status_code, timing(after).cache) == (200, "hit")  # not 401


# --8<-- [end:naive_memo]
