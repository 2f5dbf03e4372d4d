"""What goes wrong: the naive decorators, and what no ``cache_page`` setup can do.

These tests pass by showing the failure.
"""

import pytest

from harness.testing import favorites_owed, favorites_shown, timing

NAIVE_BOOKS = "/books/"
BOOKS = "/api/cache-page/books/"


# --8<-- [start:naive_session_leak]
@pytest.mark.urls("recipes.cache_page.tests.naive")
def test_naive_serves_alices_favorites_to_bob(api_client):
    api_client("alice-session").get(NAIVE_BOOKS)

    seen_by_bob = favorites_shown(api_client("bob-session").get(NAIVE_BOOKS))

    assert seen_by_bob == favorites_owed("alice-session", seen_by_bob)
    assert seen_by_bob != favorites_owed("bob-session", seen_by_bob)


# --8<-- [end:naive_session_leak]


@pytest.mark.urls("recipes.cache_page.tests.naive")
def test_naive_serves_alices_favorites_to_anonymous_visitors(api_client):
    api_client("alice-session").get(NAIVE_BOOKS)

    seen = favorites_shown(api_client("anonymous").get(NAIVE_BOOKS))

    assert any(seen.values())


# --8<-- [start:naive_shared_caches]
@pytest.mark.urls("recipes.cache_page.tests.naive")
def test_naive_lets_browsers_and_cdns_keep_pages_for_a_minute(api_client):
    response = api_client("alice-session").get(NAIVE_BOOKS)

    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert directives == {
        "max-age=60"
    }  # no private, no no-cache: any cache may reuse it


# --8<-- [end:naive_shared_caches]


@pytest.mark.urls("recipes.cache_page.tests.naive")
def test_naive_hits_still_run_authentication(api_client, revoke_token):
    client = api_client("alice-token")
    client.get(NAIVE_BOOKS)

    revoke_token("alice")

    assert client.get(NAIVE_BOOKS).status_code == 401  # DRF authenticates before list()


# --8<-- [start:stale]
def test_a_write_is_not_seen_until_the_entry_expires(api_client, book_id):
    client = api_client("alice-token")
    before = client.get(f"{BOOKS}{book_id}/").json()

    client.patch(f"{BOOKS}{book_id}/", {"title": "A new title"}, format="json")
    after = client.get(f"{BOOKS}{book_id}/").json()

    assert after["title"] == before["title"] != "A new title"  # stale for up to 300 s


# --8<-- [end:stale]


def test_a_favorite_toggle_is_not_seen_until_the_entry_expires(api_client, book_id):
    client = api_client("alice-token")
    assert client.get(f"{BOOKS}{book_id}/").json()["is_favorite"] is True

    toggled = client.post(f"{BOOKS}{book_id}/favorite/")

    assert toggled.json()["is_favorite"] is False
    assert client.get(f"{BOOKS}{book_id}/").json()["is_favorite"] is True


# --8<-- [start:revoked]
def test_a_revoked_token_is_served_its_cached_pages_until_they_expire(
    api_client, revoke_token
):
    client = api_client("alice-token")
    client.get(BOOKS)
    revoke_token("alice")  # logged out everywhere

    response = client.get(BOOKS)

    assert response.status_code == 200  # uncached, this is a 401
    assert timing(response).cache == "hit"


# --8<-- [end:revoked]
