"""No caller is served a response built for another caller, format or host."""

import pytest

from harness.consistency import assert_links_name_the_requests_own_host
from harness.testing import (
    CLIENT_KINDS,
    favorites_owed,
    favorites_shown,
    timing,
)

BOOKS = "/api/middleware/books/"


def test_each_caller_gets_its_own_hit(api_client):
    clients = {kind: api_client(kind) for kind in CLIENT_KINDS}
    for client in clients.values():
        client.get(BOOKS)
    for kind, client in clients.items():
        response = client.get(BOOKS)
        assert timing(response).cache == "hit"
        shown = favorites_shown(response)
        assert shown == favorites_owed(kind, shown)


# --8<-- [start:formats]
@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("text/html", "application/json"),
        ("application/json", "text/html"),
    ],
)
@pytest.mark.parametrize("kind", ["anonymous", "alice-token", "alice-session"])
def test_each_negotiated_format_is_cached_apart(api_client, kind, first, second):
    client = api_client(kind)
    client.get(BOOKS, HTTP_ACCEPT=first)

    response = client.get(BOOKS, HTTP_ACCEPT=second)

    assert response["Content-Type"].startswith(second)


# --8<-- [end:formats]


@pytest.mark.parametrize(("indent", "indented"), [("4", True), (None, False)])
def test_media_type_parameters_are_part_of_the_key(api_client, indent, indented):
    client = api_client("anonymous")
    other = "application/json" if indent else "application/json; indent=4"
    client.get(BOOKS, HTTP_ACCEPT=other)

    accept = f"application/json; indent={indent}" if indent else "application/json"
    response = client.get(BOOKS, HTTP_ACCEPT=accept)

    assert response.content.startswith(b'{\n    "count"') is indented


def test_the_format_query_parameter_is_cached_apart(api_client):
    client = api_client("anonymous")
    client.get(BOOKS, {"format": "json"})

    response = client.get(BOOKS, {"format": "api"})

    assert response["Content-Type"].startswith("text/html")


# --8<-- [start:csrf]
@pytest.mark.parametrize("kind", ["anonymous", "alice-session"])
def test_browsable_api_pages_are_never_stored_they_hold_a_csrf_token(api_client, kind):
    client = api_client(kind)
    outcomes = [
        timing(client.get(BOOKS, HTTP_ACCEPT="text/html")).cache for _ in range(2)
    ]

    assert outcomes == ["miss", "miss"]


# --8<-- [end:csrf]


def test_links_name_the_requests_own_host(api_client):
    assert_links_name_the_requests_own_host(api_client, BOOKS)


def test_query_parameters_in_another_order_share_an_entry(api_client):
    client = api_client("bob-token")
    client.get(f"{BOOKS}?page=2&format=json")

    response = client.get(f"{BOOKS}?format=json&page=2")

    assert timing(response).cache == "hit"
    assert response.json()["previous"].endswith("/api/middleware/books/?format=json")
