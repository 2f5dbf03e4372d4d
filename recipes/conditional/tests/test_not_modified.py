"""A client that has the current version gets a 304, cheaply, and only then."""

from collections import Counter

import pytest
from django.utils.http import http_date

from harness.testing import (
    CLIENT_KINDS,
    Timing,
    authentication_cache_reads,
    timing,
)
from recipes.bookshop.measuring import counting_cache_calls

BOOKS = "/api/conditional/books/"
AUTHORS = "/api/conditional/authors/"
PATHS = [BOOKS, f"{BOOKS}1/", AUTHORS, f"{AUTHORS}1/"]


# --8<-- [start:not_modified]
@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.parametrize("path", PATHS)
def test_a_current_etag_gets_a_304_that_runs_only_authentication(
    api_client, kind, path
):
    client = api_client(kind)
    first = client.get(path)

    with counting_cache_calls() as calls:
        again = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])

    assert (again.status_code, again.content) == (304, b"")
    assert timing(again) == Timing("hit", 0)
    assert +calls == Counter(get_many=1) + authentication_cache_reads(kind)
    assert again["ETag"] == first["ETag"]


# --8<-- [end:not_modified]


@pytest.mark.parametrize("path", PATHS)
def test_head_gets_a_304_too(api_client, path):
    client = api_client("alice-token")
    etag = client.get(path)["ETag"]

    assert client.head(path, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_an_unknown_etag_gets_the_whole_response(api_client):
    client = api_client("bob-session")

    response = client.get(BOOKS, HTTP_IF_NONE_MATCH='"not-a-version-we-sent"')

    assert response.status_code == 200
    assert timing(response).cache == "miss"


# --8<-- [start:strength]
def test_json_etags_are_strong_html_etags_weak(api_client):
    client = api_client("alice-session")

    json_etag = client.get(BOOKS, HTTP_ACCEPT="application/json")["ETag"]
    html_etag = client.get(BOOKS, HTTP_ACCEPT="text/html")["ETag"]

    assert json_etag.startswith('"')
    assert html_etag.startswith('W/"')  # each page holds a new CSRF token
    again = client.get(BOOKS, HTTP_ACCEPT="text/html", HTTP_IF_NONE_MATCH=html_etag)
    assert again.status_code == 304


# --8<-- [end:strength]


def test_each_format_has_its_own_etag(api_client):
    client = api_client("anonymous")
    json_etag = client.get(BOOKS)["ETag"]

    response = client.get(BOOKS, {"format": "api"}, HTTP_IF_NONE_MATCH=json_etag)

    assert response.status_code == 200


# --8<-- [start:per_user]
def test_per_user_bodies_get_per_user_etags(api_client):
    alices = api_client("alice-token").get(f"{BOOKS}1/")
    bob = api_client("bob-token")

    response = bob.get(f"{BOOKS}1/", HTTP_IF_NONE_MATCH=alices["ETag"])

    assert response.status_code == 200
    assert response["ETag"] != alices["ETag"]
    assert {"Authorization", "Cookie"} <= {
        part.strip() for part in response["Vary"].split(",")
    }


# --8<-- [end:per_user]


def test_author_pages_are_the_same_for_everyone_and_share_an_etag(api_client):
    etags = {api_client(kind).get(AUTHORS)["ETag"] for kind in CLIENT_KINDS}
    assert len(etags) == 1


# --8<-- [start:last_modified]
def test_if_modified_since_gets_a_304_when_nothing_changed_since(api_client, settled):
    client = api_client("alice-token")
    first = client.get(BOOKS)
    assert first["Last-Modified"] == http_date(settled)

    since_then = client.get(BOOKS, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    since_before = client.get(BOOKS, HTTP_IF_MODIFIED_SINCE=http_date(settled - 1))

    assert (since_then.status_code, since_before.status_code) == (304, 200)


def test_no_last_modified_within_the_second_of_a_change(
    api_client, settled, time_machine
):
    client = api_client("alice-token")
    time_machine.move_to(settled + 20.25, tick=False)  # both requests in one second
    client.patch(f"{BOOKS}1/", {"title": "Just now"}, format="json")

    response = client.get(BOOKS, HTTP_IF_MODIFIED_SINCE=http_date(settled + 5))

    assert (
        response.status_code == 200
    )  # the date cannot tell this second's writes apart
    assert "Last-Modified" not in response


# --8<-- [end:last_modified]


def test_if_none_match_takes_precedence_over_if_modified_since(api_client, settled):
    client = api_client("anonymous")
    current = client.get(BOOKS)

    response = client.get(
        BOOKS,
        HTTP_IF_NONE_MATCH='"an-old-version"',
        HTTP_IF_MODIFIED_SINCE=current["Last-Modified"],
    )

    assert response.status_code == 200


def test_error_responses_carry_no_validators(api_client):
    response = api_client("anonymous").get(f"{BOOKS}999999/")
    assert response.status_code == 404
    assert "ETag" not in response
