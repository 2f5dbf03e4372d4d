"""The guarded signals bookshop: no stale entry across a write, errors never stored.

Hits, isolation and fresh reads after writes: tests/test_contract.py."""

from django.core.cache import cache

from harness.testing import assert_reads_match_uncached, timing
from recipes.bookshop.measuring import counting_cache_calls
from recipes.stampede import views

BOOKS = "/api/stampede/books/"


# --8<-- [start:no_stale_across_writes]
def test_a_stale_entry_is_never_served_after_a_write(api_client, book, monkeypatch):
    client = api_client("alice-token")
    path = f"{BOOKS}{book.pk}/"
    client.get(path)
    stale = views.guard.clock() + 300 + 20  # past freshness, within stale_for (30 s)
    monkeypatch.setattr(views.guard, "clock", lambda: stale)

    client.patch(path, {"title": "Written"}, format="json")

    response = client.get(path)
    assert timing(response).cache == "miss"  # its entry holds the old versions
    assert response.json()["title"] == "Written"
    assert_reads_match_uncached(client, [path, BOOKS])


# --8<-- [end:no_stale_across_writes]


def test_a_stale_entry_is_served_when_no_write_came_between(api_client, monkeypatch):
    client = api_client("bob-token")
    first = client.get(BOOKS)
    later = views.guard.clock() + 300 + 10  # ten seconds past freshness
    monkeypatch.setattr(views.guard, "clock", lambda: later)

    refreshed = client.get(BOOKS)

    assert timing(refreshed).cache == "refresh"  # nobody held the lock: it refreshed
    assert refreshed.json() == first.json()


def test_an_error_stores_nothing_and_leaves_no_lock(api_client):
    assert api_client("anonymous").get(f"{BOOKS}999999/").status_code == 404
    assert cache.keys("stampede-books.*") == []


RENDERED = "/api/stampede/rendered-books/"


# --8<-- [start:rendered]
def test_rendered_responses_are_guarded_and_served_stale_within_the_bound(
    api_client, monkeypatch
):
    client = api_client("alice-token")
    first = client.get(RENDERED)
    assert timing(client.get(RENDERED)).cache == "hit"

    stale = views.guard.clock() + 60 + 10  # past the 60 s timeout, within stale_for
    monkeypatch.setattr(views.guard, "clock", lambda: stale)
    held = cache.lock(f"{cache_key_of(first)}:lock", timeout=10)
    assert held.acquire(blocking=False)  # another request is refreshing it

    served = client.get(RENDERED)
    assert timing(served).cache == "stale"
    assert served.content == first.content
    held.release()


# --8<-- [end:rendered]


def cache_key_of(response) -> str:
    """The key of the only rendered-books entry in the cache."""
    [key] = [key for key in cache.keys("response:*") if not key.endswith(":lock")]
    return key


def test_a_rendered_error_is_not_stored_and_leaves_no_lock(api_client):
    assert api_client("anonymous").get(f"{RENDERED}999999/").status_code == 404
    assert cache.keys("response:*") == []


def test_a_hit_reads_its_entry_once_with_the_versions(api_client):
    """The versioning mixin reads the namespace versions and the entry in one
    ``get_many``; the guard serves what it found instead of reading it again."""
    client = api_client("alice-token")
    client.get(BOOKS)
    with counting_cache_calls() as calls:
        hit = client.get(BOOKS)

    assert timing(hit).cache == "hit"
    assert dict(calls) == {"get": 1, "get_many": 1}  # the token (auth-cache); the rest
