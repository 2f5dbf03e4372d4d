"""The forgotten dependency: fields added to a serializer, and no declaration updated.

The versioning and manual-keys recipes each name what a response depends on; a field
added later that reads something else is served stale by both. The tracked recipe, which
declares nothing, serves none of it stale.
"""

import json

import pytest

from harness.testing import timing
from recipes.bookshop.models import Book, Review

pytestmark = pytest.mark.urls("recipes.tracked.tests.grown")


def read(client, recipe: str, path: str) -> dict:
    return client.get(f"/grown/{recipe}/{path}", HTTP_ACCEPT="application/json").json()


def fresh(client, recipe: str, path: str) -> dict:
    answer = client.get(f"/grown/uncached/{path}", HTTP_ACCEPT="application/json")
    return json.loads(answer.content.decode().replace("/uncached/", f"/{recipe}/"))


def warm(clients, recipe: str, paths: list[str]) -> None:
    for client in clients:
        for path in paths:
            read(client, recipe, path)


# --8<-- [start:forgotten]
def bob_favorites(api_client, book, recipe: str) -> None:
    """Another user's favourite: ``favorite_count`` counts every user's."""
    api_client("bob-session").post(f"/grown/{recipe}/books/{book.pk}/favorite/")


def a_review_is_written(api_client, book, recipe: str) -> None:
    """A review, saved by the admin or a job: ``review_count`` is an annotate()."""
    Review.objects.create(book=book, rating=4)


def a_newer_book_by_the_same_author(api_client, book, recipe: str) -> None:
    """Two levels down: the nested author's ``latest_book`` is another book."""
    Book.objects.create(
        title="Newest", author=book.author, published="2099-01-01", price=1
    )


ADDITIONS = {
    "favorite-count": bob_favorites,
    "review-count": a_review_is_written,
    "latest-book": a_newer_book_by_the_same_author,
}
STALE_WITH = {  # what each declaring recipe serves stale, with the same additions
    "versioning": {"favorite-count", "review-count", "latest-book"},
    "manual-keys": {"review-count", "latest-book"},
    "tracked": set(),
}


@pytest.mark.parametrize("addition", ADDITIONS)
@pytest.mark.parametrize("recipe", STALE_WITH)
def test_a_forgotten_dependency_is_stale_unless_tracked(
    api_client, book, recipe, addition, django_capture_on_commit_callbacks
):
    alice = api_client("alice-token")
    paths = ["books/", f"books/{book.pk}/"]
    warm([alice], recipe, paths)

    with django_capture_on_commit_callbacks(execute=True):
        ADDITIONS[addition](api_client, book, recipe)

    stale = any(read(alice, recipe, p) != fresh(alice, recipe, p) for p in paths)
    assert stale == (addition in STALE_WITH[recipe])


# --8<-- [end:forgotten]


def test_the_grown_pages_are_hits_when_nothing_changed(api_client, book):
    alice = api_client("alice-token")
    read(alice, "tracked", f"books/{book.pk}/")
    response = alice.get(f"/grown/tracked/books/{book.pk}/")
    assert timing(response).cache == "hit"
