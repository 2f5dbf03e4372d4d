"""Every way Django writes, the API or not, followed by reads: nothing stale, for anyone;
and what a rolled-back write leaves alone."""

import sqlite3
from contextlib import closing

import pytest
from django import forms
from django.db import connection, transaction

from harness.testing import assert_reads_match_uncached, timing
from recipes.bookshop.models import Author, Book
from recipes.signals.tests.test_write_paths import ORM_WRITES
from recipes.tracked.tracked_cache import TrackedCache

API = "/api/tracked/"


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
    **ORM_WRITES,  # every ORM write path of the signals recipe's tests
    "model-form-save": form_save,
    "foreign-key-moved": move_to_another_author,
    "raw-sql-update": raw_update,  # which no signal announces
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


# --8<-- [start:finished]
def test_a_write_outside_a_transaction_is_marked_once_others_can_read_it(
    autocommitted, monkeypatch
):
    alias, path = autocommitted
    seen_by_others_when_marked = []
    mark = TrackedCache.invalidate

    def invalidate(store, marks):
        if "bookshop_author" in marks:
            with closing(sqlite3.connect(path)) as other:
                rows = other.execute("SELECT count(*) FROM bookshop_author")
                seen_by_others_when_marked.append(rows.fetchone()[0])
        return mark(store, marks)

    monkeypatch.setattr(TrackedCache, "invalidate", invalidate)
    author = Author.objects.using(alias).create(
        name="Committed"
    )  # INSERT ... RETURNING

    assert author.pk == 1
    assert seen_by_others_when_marked == [1]


# --8<-- [end:finished]


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
