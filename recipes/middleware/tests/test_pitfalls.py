"""What goes wrong with the naive middleware. These tests pass by showing the failure."""

import pytest

from harness.testing import favorites_owed, favorites_shown, timing

pytestmark = pytest.mark.usefixtures("naive_middleware")


# --8<-- [start:naive_token]
def test_naive_serves_alices_favorites_to_bob_when_both_use_tokens(api_client):
    api_client("alice-token").get("/books/")  # stored under "anon": no user yet

    seen_by_bob = favorites_shown(api_client("bob-token").get("/books/"))

    assert seen_by_bob == favorites_owed("alice-token", seen_by_bob)
    assert seen_by_bob != favorites_owed("bob-token", seen_by_bob)


# --8<-- [end:naive_token]


def test_naive_hides_a_token_users_favorites_behind_the_anonymous_entry(api_client):
    api_client("anonymous").get("/books/")

    seen_by_alice = favorites_shown(api_client("alice-token").get("/books/"))

    assert not any(seen_by_alice.values())
    assert seen_by_alice != favorites_owed("alice-token", seen_by_alice)


# --8<-- [start:naive_format]
def test_naive_answers_a_json_client_with_browsable_api_html(api_client):
    client = api_client("anonymous")
    client.get("/books/", HTTP_ACCEPT="text/html")

    response = client.get("/books/", HTTP_ACCEPT="application/json")

    assert response["Content-Type"].startswith("text/html")


# --8<-- [end:naive_format]


# --8<-- [start:naive_private]
def test_naive_stores_a_private_response_and_serves_it_to_anyone(api_client):
    mine = api_client("alice-token").get("/private-books/")
    assert "private" in mine["Cache-Control"]

    theirs = api_client("anonymous").get("/private-books/")

    assert "private" in theirs["Cache-Control"]  # alice's response, word for word
    assert favorites_shown(theirs) == favorites_owed(
        "alice-token", favorites_shown(theirs)
    )


# --8<-- [end:naive_private]


def test_naive_replays_one_visitors_cookie_to_the_next(api_client):
    first = api_client("anonymous")
    first.cookies["recently_viewed"] = "7,5"
    first.get("/recently-viewed/3/")

    response = api_client("anonymous").get("/recently-viewed/3/")  # a new visitor

    assert (
        response.cookies["recently_viewed"].value == "3,7,5"
    )  # the first one's history


def test_naive_does_not_answer_head_from_the_cache(api_client):
    client = api_client("anonymous")
    client.get("/books/")

    head = client.head("/books/")

    assert timing(head).queries > 100  # the whole list, built again for no body
