"""If-Match on writes: a client cannot overwrite a version newer than the one it read."""

import pytest
from django.utils.http import http_date
from rest_framework.authtoken.models import Token

from recipes.bookshop.models import Book
from recipes.conditional.views import BookViewSet
from recipes.settings import redis_cache

BOOK = "/api/conditional/books/1/"


# --8<-- [start:lost_update]
def test_a_write_based_on_an_old_version_gets_a_412(api_client):
    alice, bob = api_client("alice-token"), api_client("bob-token")
    alices_etag = alice.get(BOOK)["ETag"]
    bob.patch(BOOK, {"title": "Bob's title"}, format="json")

    response = alice.patch(
        BOOK, {"title": "Alice's title"}, format="json", HTTP_IF_MATCH=alices_etag
    )

    assert response.status_code == 412
    assert "changed since you read it" in response.json()["detail"]
    assert Book.objects.get(pk=1).title == "Bob's title"  # bob's write survives


# --8<-- [end:lost_update]


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("patch", BOOK, {"title": "Renamed"}),
        (
            "put",
            BOOK,
            {"title": "Put", "author_id": 2, "published": "2020-01-01", "price": "1"},
        ),
        ("delete", BOOK, None),
        ("post", f"{BOOK}favorite/", None),
    ],
)
def test_a_write_with_the_current_etag_goes_through_and_a_stale_one_does_not(
    api_client, method, path, payload
):
    client = api_client("alice-token")
    current = client.get(BOOK)["ETag"]

    stale = getattr(client, method)(path, payload, format="json", HTTP_IF_MATCH='"old"')
    fresh = getattr(client, method)(path, payload, format="json", HTTP_IF_MATCH=current)

    assert (stale.status_code, fresh.status_code < 300) == (412, True)


@pytest.mark.parametrize(
    ("kind", "method", "status"),
    [
        ("anonymous", "patch", 401),
        ("anonymous", "delete", 401),
        ("revoked", "get", 401),
    ],
)
def test_requests_drf_refuses_get_their_error_without_validators(
    api_client, kind, method, status
):
    client = api_client("anonymous" if kind == "anonymous" else "alice-token")
    if kind == "revoked":
        Token.objects.filter(user__username="alice").delete()

    response = getattr(client, method)(BOOK, {"title": "x"}, format="json")

    assert response.status_code == status
    assert "ETag" not in response


def test_if_match_star_needs_only_an_existing_resource(api_client):
    response = api_client("alice-token").patch(
        BOOK, {"title": "Any version"}, format="json", HTTP_IF_MATCH="*"
    )
    assert response.status_code == 200


def test_a_weak_etag_never_matches_if_match(api_client):
    client = api_client("alice-session")
    weak = client.get(BOOK, HTTP_ACCEPT="text/html")["ETag"]

    response = client.patch(BOOK, {"title": "x"}, format="json", HTTP_IF_MATCH=weak)

    assert response.status_code == 412


def test_if_unmodified_since_before_the_last_change_gets_a_412(api_client, settled):
    response = api_client("alice-token").patch(
        BOOK,
        {"title": "Late"},
        format="json",
        HTTP_IF_UNMODIFIED_SINCE=http_date(settled - 60),
    )
    assert response.status_code == 412


# --8<-- [start:required]
def test_writes_without_if_match_can_be_refused_with_a_428(api_client, monkeypatch):
    monkeypatch.setattr(BookViewSet, "require_if_match", True)

    response = api_client("alice-token").patch(BOOK, {"title": "Blind"}, format="json")

    assert response.status_code == 428
    assert "If-Match" in response.json()["detail"]


# --8<-- [end:required]


# --8<-- [start:cache_down]
def test_with_the_cache_down_reads_work_and_if_match_cannot_be_verified(
    api_client, settings
):
    settings.CACHES = {"default": redis_cache("redis://127.0.0.1:9/0")}  # nothing there
    client = api_client("alice-token")

    read = client.get(BOOK, HTTP_IF_NONE_MATCH='"anything"')
    write = client.patch(BOOK, {"title": "x"}, format="json", HTTP_IF_MATCH='"x"')

    assert (read.status_code, "ETag" in read) == (200, False)
    assert write.status_code == 412


# --8<-- [end:cache_down]


# --8<-- [start:coarse]
def test_a_write_to_another_book_also_fails_if_match_namespaces_are_coarse(api_client):
    alice, bob = api_client("alice-token"), api_client("bob-token")
    alices_etag = alice.get(BOOK)["ETag"]
    bob.patch("/api/conditional/books/2/", {"title": "Another book"}, format="json")

    response = alice.patch(
        BOOK, {"title": "x"}, format="json", HTTP_IF_MATCH=alices_etag
    )

    assert response.status_code == 412  # book 1 did not change: a spurious conflict


# --8<-- [end:coarse]
