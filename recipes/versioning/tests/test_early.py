"""Hits answered before DRF's dispatch, in one ``get_many``, with the full path's
semantics: a bumped namespace, an ended credential or a changed session ends them at once;
a view whose hits must pass DRF's checks keeps them behind its dispatch."""

import pytest
from django.contrib.auth.models import Group

from harness.early_path import CREDENTIAL_ENDINGS, alice
from harness.testing import timing
from recipes.versioned import early

BOOKS = "/api/versioning/books/"
JSON = {"HTTP_ACCEPT": "application/json"}
KINDS = ["anonymous", "alice-token", "alice-session"]


def exchanged(response) -> tuple[int, list[tuple[str, str]], bytes]:
    """What a client sees of a response, but for its cache outcome and date."""
    headers = [
        (k, v) for k, v in response.items() if k not in ("Server-Timing", "Date")
    ]
    return response.status_code, sorted(headers), response.content


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


def test_the_first_hit_in_a_process_reads_the_alias_then_what_it_stands_on(
    api_client, counted, monkeypatch
):
    client = api_client("alice-token")
    client.get(BOOKS, **JSON)
    client.get(BOOKS, **JSON)  # a hit through DRF: the alias is stored
    monkeypatch.setattr(early, "_known", {})  # another process stored the alias
    counted.restart()
    first = client.get(BOOKS, **JSON)
    second = client.get(BOOKS, **JSON)
    assert [timing(r).cache for r in (first, second)] == ["hit", "hit"]
    assert counted.redis == ["MGET", "MGET", "MGET"]  # two round trips, then one


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


@pytest.mark.parametrize(("kind", "ending"), CREDENTIAL_ENDINGS)
def test_whatever_ends_a_credential_ends_its_hits_at_once(
    api_client, kind, ending, django_capture_on_commit_callbacks
):
    client = api_client(kind)
    client.get(BOOKS, **JSON)
    assert timing(client.get(BOOKS, **JSON)).cache == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        ending()
    after = client.get(BOOKS, **JSON)
    assert timing(after).cache != "hit"
    if kind == "alice-session":  # the session no longer signs alice in
        assert not any(book["is_favorite"] for book in after.json()["results"])
    else:
        assert after.status_code == 401


def test_a_logout_ends_the_hits_of_every_copy_of_the_cookie(
    api_client, django_capture_on_commit_callbacks
):
    client = api_client("alice-session")
    client.get(BOOKS, **JSON)
    cookie = client.cookies["sessionid"].value
    with django_capture_on_commit_callbacks(execute=True):
        client.logout()
    client.cookies["sessionid"] = cookie  # a copy, kept elsewhere
    after = client.get(BOOKS, **JSON)
    assert timing(after).cache != "hit"
    assert not any(book["is_favorite"] for book in after.json()["results"])


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


def test_accept_headers_that_pick_the_same_renderer_share_an_alias(api_client):
    client = api_client("alice-token")
    client.get(BOOKS, HTTP_ACCEPT="application/json")
    shared = client.get(BOOKS, HTTP_ACCEPT="text/html;q=0.1, application/json")
    assert timing(shared).cache == "hit"
    assert client.get(BOOKS, HTTP_ACCEPT="application/xml").status_code == 406


def test_a_head_goes_through_drf(api_client, counted):
    client = api_client("alice-token")
    client.get(BOOKS, **JSON)
    counted.restart()
    head = client.head(BOOKS, **JSON)
    assert (head.status_code, head.content, counted.dispatch) == (200, b"", 1)


pytestmark_checks = pytest.mark.urls("recipes.versioning.tests.early")


@pytestmark_checks
def test_a_throttled_view_counts_every_hit(api_client, counted):
    client = api_client("alice-token")
    answers = [client.get("/throttled/books/", **JSON) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert timing(answers[1]).cache == "hit"  # a hit, behind DRF's throttle
    assert counted.dispatch == 3


@pytestmark_checks
def test_a_permission_that_reads_more_than_the_user_is_checked_on_every_hit(
    api_client, django_capture_on_commit_callbacks
):
    readers = Group.objects.create(name="readers")
    alice().groups.add(readers)
    client = api_client("alice-token")
    client.get("/readers/books/", **JSON)
    assert timing(client.get("/readers/books/", **JSON)).cache == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        alice().groups.remove(readers)
    assert client.get("/readers/books/", **JSON).status_code == 403


@pytestmark_checks
def test_an_authentication_that_names_no_cached_entry_keeps_hits_behind_dispatch(
    api_client, counted
):
    client = api_client("alice-token")
    client.get("/database-token/books/", **JSON)
    counted.restart()
    assert timing(client.get("/database-token/books/", **JSON)).cache == "hit"
    assert counted.dispatch == 1
