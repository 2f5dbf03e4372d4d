"""The headers each kind of caller gets, for each action and method."""

import pytest
from django.http import HttpResponse
from django.utils.cache import patch_cache_control

from harness.testing import CLIENT_KINDS
from recipes.cache_control.cache_headers import CachePolicy

BOOKS = "/api/cache-control/books/"
AUTHORS = "/api/cache-control/authors/"
NEW_BOOK = {
    "title": "Fresh",
    "author_id": 1,
    "published": "2024-01-01",
    "price": "5.00",
}


def directives(response) -> set[str]:
    return {part.strip() for part in response["Cache-Control"].split(",")}


def vary(response) -> set[str]:
    return {part.strip() for part in response["Vary"].split(",")}


# --8<-- [start:kinds]
@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (
            BOOKS,
            {
                "public",
                "max-age=30",
                "s-maxage=60",
                "stale-while-revalidate=30",
                "stale-if-error=600",
            },
        ),
        (f"{BOOKS}1/", {"public", "max-age=60", "s-maxage=300", "stale-if-error=3600"}),
        (AUTHORS, {"public", "max-age=300", "s-maxage=3600"}),
    ],
)
def test_anonymous_responses_are_public_with_the_whole_policy(
    api_client, path, expected
):
    response = api_client("anonymous").get(path)

    assert directives(response) == expected
    assert {"Accept", "Authorization", "Cookie"} <= vary(response)


@pytest.mark.parametrize("kind", [kind for kind in CLIENT_KINDS if kind != "anonymous"])
@pytest.mark.parametrize("path", [BOOKS, f"{BOOKS}1/", AUTHORS])
def test_authenticated_responses_are_never_public(api_client, kind, path):
    response = api_client(kind).get(path)

    assert "private" in directives(response)
    assert not any(
        d == "public" or d.startswith(("s-maxage", "stale-"))
        for d in directives(response)
    )


# --8<-- [end:kinds]


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_head_gets_the_same_headers_as_get(api_client, kind):
    client = api_client(kind)
    assert client.head(BOOKS)["Cache-Control"] == client.get(BOOKS)["Cache-Control"]


# --8<-- [start:writes]
@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("post", BOOKS, NEW_BOOK),
        ("put", f"{BOOKS}1/", NEW_BOOK),
        ("patch", f"{BOOKS}1/", {"title": "Renamed"}),
        ("delete", f"{BOOKS}2/", None),
        ("post", f"{BOOKS}1/favorite/", None),
    ],
)
def test_writes_are_never_stored(api_client, method, path, payload):
    response = getattr(api_client("alice-token"), method)(path, payload, format="json")

    assert response.status_code < 300
    assert directives(response) == {"no-store"}


# --8<-- [end:writes]


@pytest.mark.parametrize(
    ("kind", "path", "status"),
    [
        ("anonymous", f"{BOOKS}999999/", 404),
        ("anonymous", f"{BOOKS}?page=99", 404),
        ("alice-token", f"{BOOKS}999999/", 404),
    ],
)
def test_errors_are_never_stored(api_client, kind, path, status):
    response = api_client(kind).get(path)
    assert response.status_code == status
    assert directives(response) == {"no-store"}


def test_a_rejected_write_is_never_stored(api_client):
    response = api_client("anonymous").post(BOOKS, NEW_BOOK, format="json")
    assert response.status_code in (401, 403)
    assert directives(response) == {"no-store"}


@pytest.mark.parametrize("shared", [True, False])
def test_a_no_cache_policy_says_no_cache_to_every_caller(shared):
    response = HttpResponse()
    patch_cache_control(
        response, **CachePolicy(no_cache=True).directives(shared=shared)
    )

    assert "no-cache" in directives(response)
    assert ("public" if shared else "private") in directives(response)
