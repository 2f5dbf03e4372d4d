"""Every way Django writes, the API or not, followed by reads: nothing stale, for anyone;
and what a rolled-back write leaves alone."""

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from harness.testing import assert_reads_match_uncached, timing
from recipes.bookshop.models import Author, Book, Favorite, Review

API = "/api/tracked/"


def bob():
    return get_user_model().objects.get(username="bob")


class BookForm(forms.ModelForm):
    class Meta:
        model = Book
        fields = ["title", "author", "published", "price"]


def form_save(book: Book) -> None:
    form = BookForm(
        {**BookForm(instance=book).initial, "title": "By form"}, instance=book
    )
    assert form.is_valid(), form.errors
    form.save()


def raw_update(book: Book) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE bookshop_book SET title = %s WHERE id = %s", ["Raw", book.pk]
        )


def move_to_another_author(book: Book) -> None:
    book.author = Author.objects.exclude(pk=book.author_id).first()
    book.save()


# --8<-- [start:writes]
WRITES = {
    "save": lambda book: Book.objects.get(pk=book.pk).save(),
    "model-form-save": form_save,
    "foreign-key-moved": move_to_another_author,
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
    "raw-sql-update": raw_update,
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_no_read_after_any_write_is_stale(
    api_client, book, write, django_capture_on_commit_callbacks
):
    clients = [api_client(kind) for kind in ("alice-token", "bob-session", "anonymous")]
    reads = [
        f"{API}books/",
        f"{API}books/?page=2",
        f"{API}books/{book.pk}/",
        f"{API}authors/",
        f"{API}authors/{book.author_id}/",
    ]
    for client in clients:
        for read in reads:
            client.get(read)

    with django_capture_on_commit_callbacks(execute=True):  # the write commits
        write(book)

    for client in clients:
        assert_reads_match_uncached(client, reads)


# --8<-- [end:writes]


# --8<-- [start:rollback]
def test_a_rolled_back_transaction_leaves_the_entry_a_hit(
    api_client, book, django_capture_on_commit_callbacks
):
    client = api_client("alice-token")
    client.get(f"{API}books/{book.pk}/")

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        Book.objects.filter(pk=book.pk).update(title="Never")
        transaction.set_rollback(True)

    assert timing(client.get(f"{API}books/{book.pk}/")).cache == "hit"


def test_a_savepoint_rolled_back_inside_a_transaction_leaves_the_entry_a_hit(
    api_client, book, django_capture_on_commit_callbacks
):
    client = api_client("alice-token")
    other = Book.objects.exclude(pk=book.pk).exclude(author=book.author).first()
    client.get(f"{API}books/{book.pk}/")

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        Book.objects.filter(pk=other.pk).update(title="Kept")  # commits
        try:
            with transaction.atomic():  # a savepoint, rolled back
                Book.objects.filter(pk=book.pk).update(title="Never")
                raise RuntimeError
        except RuntimeError:
            pass

    assert timing(client.get(f"{API}books/{book.pk}/")).cache == "hit"
    assert Book.objects.get(pk=other.pk).title == "Kept"


def test_marks_wait_for_the_commit(
    api_client, book, django_capture_on_commit_callbacks
):
    client = api_client("alice-token")
    client.get(f"{API}books/{book.pk}/")

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        Book.objects.filter(pk=book.pk).update(title="Later")
        assert timing(client.get(f"{API}books/{book.pk}/")).cache == "hit"

    assert client.get(f"{API}books/{book.pk}/").json()["title"] == "Later"


# --8<-- [end:rollback]


# --8<-- [start:precision]
def test_a_title_edit_reaches_only_the_pages_that_show_the_book(
    api_client, django_capture_on_commit_callbacks
):
    client = api_client("alice-token")
    pages = [f"{API}books/", f"{API}books/?page=2", f"{API}books/1/", f"{API}books/2/"]
    for page in pages:
        client.get(page)

    with django_capture_on_commit_callbacks(execute=True):
        Book.objects.filter(pk=2).update(title="Renamed")

    outcomes = [timing(client.get(page)).cache for page in pages]
    assert outcomes == ["miss", "hit", "hit", "miss"]


def test_a_favorite_reaches_only_its_users_pages(api_client, book):
    alice, bob, anonymous = (
        api_client(kind) for kind in ("alice-token", "bob-session", "anonymous")
    )
    for client in (alice, bob, anonymous):
        client.get(f"{API}books/")

    alice.post(f"{API}books/{book.pk}/favorite/")

    outcomes = [timing(c.get(f"{API}books/")).cache for c in (alice, bob, anonymous)]
    assert outcomes == ["miss", "hit", "hit"]


# --8<-- [end:precision]


def test_views_declare_nothing():
    from recipes.tracked import views

    for viewset in (views.BookViewSet, views.AuthorViewSet):
        declared = {n for n in vars(viewset) if n.startswith(("perform_", "cache_"))}
        assert declared == {"cache_name", "cache_store"}
