"""No one is served a response built for another user, another format or another host."""

import re

import pytest

from harness.testing import (
    CLIENT_KINDS,
    favorites_owed,
    favorites_shown,
    timing,
)

BOOKS = "/api/cache-page/books/"


def test_each_client_gets_its_own_hit(api_client):
    clients = {kind: api_client(kind) for kind in CLIENT_KINDS}
    for client in clients.values():
        client.get(BOOKS)
    for kind, client in clients.items():
        response = client.get(BOOKS)
        assert timing(response).cache == "hit"
        assert favorites_shown(response) == favorites_owed(
            kind, favorites_shown(response)
        )


# --8<-- [start:formats]
@pytest.mark.parametrize(
    ("first", "second"),
    [("text/html", "application/json"), ("application/json", "text/html")],
)
def test_each_format_is_cached_apart(api_client, first, second):
    client = api_client("alice-session")
    client.get(BOOKS, HTTP_ACCEPT=first)

    response = client.get(BOOKS, HTTP_ACCEPT=second)

    assert response["Content-Type"].startswith(second)
    assert timing(response).cache == "miss"


# --8<-- [end:formats]


# --8<-- [start:csrf]
def test_no_visitor_is_served_another_visitors_csrf_token(api_client):
    first = api_client("anonymous").get(BOOKS, HTTP_ACCEPT="text/html")

    second = api_client("anonymous").get(BOOKS, HTTP_ACCEPT="text/html")

    assert timing(second).cache == "miss"  # the page was not stored
    assert csrf_token(second) != csrf_token(first)


# --8<-- [end:csrf]


def csrf_token(response) -> str:
    return re.search(r'"csrfToken": "([^"]+)"', response.content.decode())[1]


def test_format_query_parameter_is_cached_apart(api_client):
    client = api_client("anonymous")
    client.get(BOOKS, {"format": "api"})
    response = client.get(BOOKS, {"format": "json"})
    assert response["Content-Type"] == "application/json"


# --8<-- [start:hosts]
def test_pagination_links_name_the_requests_own_host(api_client):
    client = api_client("anonymous")
    client.get(BOOKS, HTTP_HOST="api.localhost")

    response = client.get(BOOKS, HTTP_HOST="mirror.localhost")

    assert (
        response.json()["next"]
        == "http://mirror.localhost/api/cache-page/books/?page=2"
    )


# --8<-- [end:hosts]


def test_responses_vary_on_every_header_that_changes_them(api_client):
    response = api_client("anonymous").get(BOOKS)
    vary = {header.strip().lower() for header in response["Vary"].split(",")}
    assert {"accept", "authorization", "cookie"} <= vary
