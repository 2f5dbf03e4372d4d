"""Every way the ORM writes, followed by reads: nothing stale, for anyone."""

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from harness.testing import assert_reads_match_uncached, timing
from recipes.bookshop.models import Author, Book, Favorite, Review
from recipes.signals.views import namespaces

BOOKS = "/api/signals/books/"


def bob():
    return get_user_model().objects.get(username="bob")


# --8<-- [start:orm_writes]
ORM_WRITES = {
    "save": lambda book: Book.objects.filter(pk=book.pk).first().save(),
    "instance-delete": lambda book: book.delete(),
    "queryset-update": lambda book: Book.objects.filter(pk=book.pk).update(
        title="Bulk"
    ),
    "queryset-delete": lambda book: Book.objects.filter(author=book.author).delete(),
    "bulk-create": lambda book: Book.objects.bulk_create(
        [Book(title="Bulk", author=book.author, published="2024-01-01", price=1)]
    ),
    "bulk-update": lambda book: Book.objects.bulk_update(
        [Book(pk=book.pk, title="Bulk", author_id=book.author_id)], ["title", "author"]
    ),
    "author-rename": lambda book: Author.objects.filter(pk=book.author_id).update(
        name="X"
    ),
    "review-create": lambda book: Review.objects.create(book=book, rating=1),
    "review-bulk-create": lambda book: Review.objects.bulk_create(
        [Review(book=book, rating=1), Review(book=book, rating=1)]
    ),
    "reviews-deleted": lambda book: Review.objects.filter(
        book__author=book.author
    ).delete(),
    "m2m-add": lambda book: book.favorited_by.add(bob()),
    "m2m-add-reverse": lambda book: bob().favorite_books.add(book),
    "m2m-remove": lambda book: book.favorited_by.remove(book.favorited_by.first()),
    "m2m-clear": lambda book: book.favorited_by.clear(),
    "m2m-clear-reverse": lambda book: bob().favorite_books.clear(),
    "favorites-moved": lambda book: Favorite.objects.filter(book=book).update(
        user=bob()
    ),
}


@pytest.mark.parametrize("write", ORM_WRITES.values(), ids=ORM_WRITES.keys())
def test_no_read_after_an_orm_write_is_stale(
    api_client, book, write, django_capture_on_commit_callbacks
):
    clients = [api_client(kind) for kind in ("alice-token", "bob-session", "anonymous")]
    reads = [
        BOOKS,
        f"{BOOKS}?page=2",
        f"{BOOKS}{book.pk}/",
        "/api/signals/authors/",
        f"/api/signals/authors/{book.author_id}/",
    ]
    for client in clients:
        for read in reads:
            client.get(read)

    with django_capture_on_commit_callbacks(execute=True):  # the write commits
        write(book)

    for client in clients:
        assert_reads_match_uncached(client, reads)


# --8<-- [end:orm_writes]


# --8<-- [start:commit]
def test_versions_move_only_when_the_transaction_commits(
    book, django_capture_on_commit_callbacks
):
    before = namespaces.versions(["books"])

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        Book.objects.filter(pk=book.pk).update(title="Later")
        assert namespaces.versions(["books"]) == before  # not yet committed

    assert namespaces.versions(["books"]) != before


def test_a_rolled_back_transaction_invalidates_nothing(
    api_client, book, django_capture_on_commit_callbacks
):
    client = api_client("alice-token")
    client.get(f"{BOOKS}{book.pk}/")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        transaction.atomic(),
    ):
        Book.objects.filter(pk=book.pk).update(title="Never")
        transaction.set_rollback(True)

    assert callbacks == []
    assert timing(client.get(f"{BOOKS}{book.pk}/")).cache == "hit"


# --8<-- [end:commit]


def test_views_never_invalidate_by_themselves(book):
    from recipes.signals import views

    for viewset in (views.BookViewSet, views.AuthorViewSet):
        assert "perform_update" not in vars(viewset)
        assert "perform_create" not in vars(viewset)
