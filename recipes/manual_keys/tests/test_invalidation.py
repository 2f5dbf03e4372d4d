"""Every write deletes exactly the entries it made stale, once it commits."""

from django.db import transaction
from rest_framework.test import APIClient

from harness.testing import assert_reads_match_uncached, timing
from recipes.manual_keys.tests.race import write_while_the_next_read_computes

BOOKS = "/api/manual-keys/books/"
AUTHORS = "/api/manual-keys/authors/"
NEW_BOOK = {
    "title": "Fresh",
    "author_id": 1,
    "published": "2024-01-01",
    "price": "5.00",
}


def warm(client, *paths):
    for path in paths:
        client.get(path)
        assert timing(client.get(path)).cache == "hit"


def test_deleting_a_review_refreshes_its_authors_rating(api_client, book):
    client = api_client("alice-token")
    review = client.post(
        "/api/manual-keys/reviews/", {"book_id": book.pk, "rating": 5}, format="json"
    ).json()
    warm(client, f"{AUTHORS}{book.author_id}/")

    client.delete(f"/api/manual-keys/reviews/{review['id']}/")

    assert_reads_match_uncached(
        client, [f"{AUTHORS}{book.author_id}/", f"{BOOKS}{book.pk}/"]
    )


# --8<-- [start:exact]
def test_a_favorite_toggle_deletes_only_the_entries_that_show_the_book(
    api_client, book
):
    client = api_client("alice-token")
    other_book = f"{BOOKS}{book.pk + 1}/"
    warm(client, BOOKS, f"{BOOKS}{book.pk}/", other_book, AUTHORS)

    client.post(f"{BOOKS}{book.pk}/favorite/")

    assert timing(client.get(other_book)).cache == "hit"
    assert timing(client.get(AUTHORS)).cache == "hit"
    assert timing(client.get(f"{BOOKS}{book.pk}/")).cache == "miss"
    assert timing(client.get(BOOKS)).cache == "miss"


# --8<-- [end:exact]


def test_a_rolled_back_write_invalidates_nothing(
    api_client, book, django_capture_on_commit_callbacks
):
    reader = api_client("alice-token")
    warm(reader, f"{BOOKS}{book.pk}/")
    writer = (
        APIClient()
    )  # no commit at the end of each request: the outer block decides
    writer.credentials(HTTP_AUTHORIZATION=reader._credentials["HTTP_AUTHORIZATION"])

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        transaction.atomic(),
    ):
        writer.patch(f"{BOOKS}{book.pk}/", {"title": "Never"}, format="json")
        transaction.set_rollback(True)

    assert callbacks == []
    assert timing(reader.get(f"{BOOKS}{book.pk}/")).cache == "hit"


# --8<-- [start:race]
def test_a_read_that_loaded_its_rows_before_a_write_is_not_stored(
    api_client, book, monkeypatch
):
    alice, bob = api_client("alice-token"), api_client("bob-token")
    path = f"{BOOKS}{book.pk}/"
    rename = {"title": "Renamed while bob's read computed"}
    write_while_the_next_read_computes(monkeypatch, lambda: alice.patch(path, rename))

    assert bob.get(path).json()["title"] == book.title  # computed before the write

    assert timing(bob.get(path)).cache == "miss"  # its store was refused
    assert_reads_match_uncached(bob, [path, BOOKS])


# --8<-- [end:race]


def test_a_read_that_overlaps_a_write_elsewhere_is_stored(
    api_client, book, monkeypatch
):
    alice, bob = api_client("alice-token"), api_client("bob-token")
    other = f"{BOOKS}{book.pk + 1}/"
    write_while_the_next_read_computes(
        monkeypatch, lambda: alice.patch(other, {"title": "Elsewhere"})
    )

    bob.get(f"{BOOKS}{book.pk}/")

    assert timing(bob.get(f"{BOOKS}{book.pk}/")).cache == "hit"
