"""Hits answered before DRF's dispatch, in one round trip, with the full path's semantics:
whatever ends a credential or a permission ends its hits at once; a throttle counts every
hit; an authentication the key cannot see keeps hits behind DRF's dispatch."""

from typing import Any

import pytest
from django.contrib.auth.models import Group
from rest_framework.exceptions import NotAcceptable

from harness.early_path import CREDENTIAL_ENDINGS, alice, counting_decodes
from harness.testing import timing
from recipes.tracked import tracked_cache
from recipes.tracked.tracked_cache import (
    DecodedResponses,
    Held,
    RenderedResponse,
    TrackedCache,
    negotiated_media_type,
    select_media_type,
)
from recipes.tracked.views import BookViewSet

BOOKS = "/api/tracked/books/"
AUTHORS = "/api/tracked/authors/"
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.mark.parametrize("kind", ["anonymous", "alice-token", "alice-session"])
def test_a_hit_is_one_redis_command_no_query_and_no_dispatch(
    api_client, kind, counted, django_assert_num_queries
):
    client = api_client(kind)
    missed = client.get(BOOKS, **JSON)
    counted.restart()
    with django_assert_num_queries(0):
        hit = client.get(BOOKS, **JSON)
    assert timing(hit).cache == "hit"
    assert (counted.dispatch, counted.redis) == (0, ["EVALSHA"])
    counted.restart()
    with django_assert_num_queries(0):
        again = client.get(BOOKS, **JSON)  # held by the process: one MGET
    assert (counted.dispatch, counted.redis) == (0, ["MGET"])
    for answered in (hit, again):
        assert timing(answered).cache == "hit"
        assert answered.content == missed.content
        for header in ("Content-Type", "Vary", "Allow"):
            assert answered[header] == missed[header], header


def test_a_hit_that_reads_bytes_decoded_before_decodes_nothing(
    api_client, book, monkeypatch, django_capture_on_commit_callbacks
):
    """Redis says whether the entry is current; the process remembers what its bytes
    decode to. A write stores new bytes: the first hit of them decodes them."""
    monkeypatch.setattr(tracked_cache, "_decoded", DecodedResponses())  # none yet
    client = api_client("alice-token")
    page = f"{BOOKS}{book.pk}/"

    def hit_decoding() -> tuple[str, str, int]:
        decoded.clear()
        hit = client.get(page, **JSON)
        return timing(hit).cache, hit.json()["title"], len(decoded)

    client.get(page, **JSON)
    decoded = counting_decodes(monkeypatch)
    assert hit_decoding() == ("hit", book.title, 1)  # the first of these bytes
    assert hit_decoding() == ("hit", book.title, 0)
    with django_capture_on_commit_callbacks(execute=True):
        book.title = "Written"
        book.save()
    client.get(page, **JSON)  # the miss stores the new bytes
    assert hit_decoding() == ("hit", "Written", 1)
    assert hit_decoding() == ("hit", "Written", 0)


def test_decoded_responses_hold_at_most_their_bytes_the_oldest_going_first():
    held = DecodedResponses(most_bytes=250)
    sizes = {"a": 100, "b": 100, "c": 100, "d": 300}
    for key, size in sizes.items():
        response = RenderedResponse("text/plain", b"x" * size)
        held.keep(key, Held(key, response, (), (), 0))
    assert [held.held(key) is not None for key in sizes] == [False, True, True, False]


def test_a_miss_stores_the_entry_and_the_alias_in_one_script(
    api_client, book, counted, django_capture_on_commit_callbacks, monkeypatch
):
    """A credential this process has not seen: the alias, the token's auth-cache entry,
    then the user's entry, once DRF has said whose it is; both stored by one script.
    Seen before: the user's entry is read with the alias, in the same script. After a
    write: the alias says its entry is out of date, so the user's entry is not read."""
    client = api_client("alice-token")
    client.get(AUTHORS, **JSON)  # the token is known
    monkeypatch.setattr(tracked_cache, "_callers", {})  # but not to this process
    counted.restart()
    client.get(BOOKS, **JSON)
    unseen = list(counted.redis)
    counted.restart()
    client.get(f"{BOOKS}{book.pk}/", **JSON)
    seen = list(counted.redis)
    with django_capture_on_commit_callbacks(execute=True):
        book.title = "Written"
        book.save()
    counted.restart()
    after = client.get(f"{BOOKS}{book.pk}/", **JSON)
    assert after.json()["title"] == "Written"
    alias, token, entry, both = "EVALSHA", "GET", "EVALSHA", "EVALSHA"
    assert unseen == [alias, token, entry, both]
    assert seen == [alias, token, both]
    assert counted.redis == [alias, token, both]
    assert timing(client.get(f"{BOOKS}{book.pk}/", **JSON)).cache == "hit"


def test_a_wrong_guess_of_whose_credential_it_is_reads_the_right_entry_after_all(
    api_client, counted, monkeypatch
):
    """The entry read with the alias is a guess, from whom the credential stood for
    before; DRF's authentication decides. Told that bob's token is alice's, the process
    reads alice's entry with bob's alias, and answers bob with bob's own page."""
    alice_client, bob_client = api_client("alice-token"), api_client("bob-token")
    alices = alice_client.get(f"{BOOKS}?page=1", **JSON).json()  # alice's entry
    bobs = bob_client.get(BOOKS, **JSON).json()
    assert alices != bobs  # their favourites differ
    monkeypatch.setitem(
        tracked_cache._callers, digest_of(bob_client), caller_of(alice_client)
    )
    counted.restart()
    answered = bob_client.get(f"{BOOKS}?page=1", **JSON)
    assert answered.json() == bobs
    assert counted.redis[:4] == ["EVALSHA", "GET", "EVALSHA", "EVALSHA"]


def test_accept_headers_that_pick_the_same_renderer_share_an_entry(api_client):
    client = api_client("alice-token")
    client.get(BOOKS, HTTP_ACCEPT="application/json")
    shared = client.get(BOOKS, HTTP_ACCEPT="text/html;q=0.1, application/json")
    assert timing(shared).cache == "hit"
    refused = client.get(BOOKS, HTTP_ACCEPT="application/xml")
    assert refused.status_code == 406


@pytest.mark.parametrize(
    ("accept", "query"),
    [
        ("application/json", ""),
        ("text/html", ""),
        ("text/html;q=0.1, application/json", ""),
        ("*/*", ""),
        ("*/*", "format=api"),
        ("*/*", "format=json"),
        ("text/html", "format=json"),  # a 406, either way
        ("application/xml", ""),
    ],
)
def test_the_remembered_negotiation_picks_what_drf_picks(rf, accept, query):
    """An early hit remembers DRF's choice per ``Accept`` and ``?format=``: the same
    choice DRF's negotiation makes for the whole request."""
    request = rf.get(f"{BOOKS}?{query}", HTTP_ACCEPT=accept)
    remembered = picked(negotiated_media_type, BookViewSet, request, {})
    assert remembered == picked(select_media_type, BookViewSet, request, None)
    assert remembered == picked(negotiated_media_type, BookViewSet, request, {})


def picked(negotiate, *args) -> str:
    try:
        return negotiate(*args)
    except NotAcceptable:
        return "406"


@pytest.mark.parametrize(("kind", "ending"), CREDENTIAL_ENDINGS)
def test_whatever_ends_a_credential_ends_its_hits_at_once(
    api_client, kind, ending, django_capture_on_commit_callbacks
):
    client = api_client(kind)
    client.get(AUTHORS, **JSON)  # the credential is known: its miss reads no row
    client.get(BOOKS, **JSON)
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


@pytest.mark.urls("recipes.tracked.tests.early")
def test_a_change_to_what_the_permission_read_ends_the_hits_at_once(
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


@pytest.mark.urls("recipes.tracked.tests.early")
def test_a_throttled_view_counts_every_hit(api_client, counted):
    client = api_client("alice-token")
    answers = [client.get("/throttled/books/", **JSON) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert timing(answers[1]).cache == "hit"  # a hit, behind DRF's throttle
    assert counted.dispatch == 3


@pytest.mark.urls("recipes.tracked.tests.early")
def test_an_authentication_the_key_cannot_see_keeps_hits_behind_dispatch(
    api_client, counted
):
    client = api_client("anonymous")
    client.get("/api-key/books/", **JSON)
    counted.restart()
    assert timing(client.get("/api-key/books/", **JSON)).cache == "hit"
    assert counted.dispatch == 1


def test_a_session_s_hits_do_not_outlive_it(api_client, monkeypatch):
    timeouts = []
    put = TrackedCache.put

    def recording(self, *entries):
        timeouts.extend(e.timeout for e in entries if e and isinstance(e.value, tuple))
        return put(self, *entries)

    monkeypatch.setattr(TrackedCache, "put", recording)
    client = api_client("alice-session")
    session = client.session
    session.set_expiry(42)
    session.save()
    client.get(BOOKS, **JSON)
    assert 0 < timeouts[-1] <= 42


def test_two_sessions_of_one_user_share_the_entry(api_client, counted):
    """An alias per credential, one entry per user: a second sign-in starts with a hit
    (through DRF, once), then answers before it."""
    first, second = api_client("alice-session"), api_client("alice-session")
    assert first.cookies["sessionid"].value != second.cookies["sessionid"].value
    first.get(BOOKS, **JSON)
    shared = second.get(BOOKS, **JSON)
    counted.restart()
    again = second.get(BOOKS, **JSON)
    assert [timing(r).cache for r in (shared, again)] == ["hit", "hit"]
    assert counted.dispatch == 0


def favourites(response: Any) -> list[bool]:
    return [book["is_favorite"] for book in response.json()["results"]]


def digest_of(client: Any) -> bytes:
    """The digest this process remembers ``client``'s credential by."""
    return tracked_cache.credential_digest(client.get(AUTHORS, **JSON).wsgi_request)


def caller_of(client: Any) -> tuple:
    """Whom this process remembers ``client``'s credential stands for."""
    return tracked_cache._callers[digest_of(client)]
