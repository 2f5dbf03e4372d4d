"""What the demo's responses carry and what its committed writes purge, in-process: the
keys, the transaction, failures and the delayed purge."""

from contextlib import suppress

import pytest
from django.db import transaction

from recipes.bookshop.models import Author, Book
from recipes.cdn.shared_cache import XKEY, Purger
from recipes.tracked import tracked_cache
from recipes.tracked.outbox import PendingInvalidation

API = "/api/cdn/"


class Outage(OSError):
    """The shared cache refusing a purge."""


@pytest.fixture
def purged(monkeypatch) -> list[list[str]]:
    """Install a purger whose requests are recorded (no delayed purge); return them."""
    sent: list[list[str]] = []
    purger = Purger(sent.append, XKEY, delay=0)
    monkeypatch.setattr(tracked_cache, "_stores", [purger])
    return sent


def keys(response) -> set[str]:
    return set(response[XKEY.header].split())


def everything(purged: list[list[str]]) -> set[str]:
    return {key for chunk in purged for key in chunk}


# --8<-- [start:tagged]
def test_anonymous_pages_are_public_and_carry_the_keys_of_what_they_read(api_client):
    anonymous = api_client("anonymous")
    for path in (f"{API}books/", f"{API}books/1/", f"{API}authors/"):
        response = anonymous.get(path)
        assert response["Cache-Control"] == (
            "public, max-age=0, s-maxage=300, stale-while-revalidate=10"
        )
        assert keys(response), path


@pytest.mark.parametrize("kind", ["alice-token", "bob-session"])
def test_a_callers_pages_are_private_and_carry_no_keys(api_client, kind):
    response = api_client(kind).get(f"{API}books/")
    assert response["Cache-Control"] == "private, no-store"
    assert XKEY.header not in response


def test_an_anonymous_request_with_any_cookie_is_private(api_client):
    anonymous = api_client("anonymous")
    anonymous.cookies["tracking"] = "42"
    assert anonymous.get(f"{API}books/")["Cache-Control"] == "private, no-store"


# --8<-- [end:tagged]


# --8<-- [start:purged]
def test_a_title_edit_purges_its_detail_and_its_list_page_not_other_details(
    api_client, book, purged
):
    anonymous = api_client("anonymous")
    page, detail = (
        anonymous.get(path) for path in (f"{API}books/", f"{API}books/{book.pk}/")
    )
    another = Book.objects.exclude(pk=book.pk).first()
    other = anonymous.get(f"{API}books/{another.pk}/")
    api_client("alice-token").patch(
        f"{API}books/{book.pk}/", {"title": "Edited"}, format="json"
    )
    assert keys(detail) & everything(purged)
    assert keys(page) & everything(purged)
    assert not keys(other) & everything(purged)


def test_a_transaction_is_one_purge_and_a_rolled_back_savepoint_adds_nothing(
    book, purged, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        Book.objects.filter(pk=book.pk).update(title="One")
        Author.objects.filter(pk=book.author_id).update(name="Two")
        with suppress(RuntimeError), transaction.atomic():
            Book.objects.exclude(pk=book.pk).update(title="Undone")
            raise RuntimeError
    assert len(purged) == 1


def test_a_rolled_back_write_purges_nothing(book, purged):
    with suppress(RuntimeError), transaction.atomic():
        Book.objects.filter(pk=book.pk).update(title="Undone")
        raise RuntimeError
    assert purged == []


# --8<-- [end:purged]


def test_a_purge_that_fails_never_fails_the_write_and_is_relayed_from_the_outbox(
    api_client, book, monkeypatch, caplog
):
    sent: list[list[str]] = []
    refusing = True

    def send(chunk: list[str]) -> None:
        if refusing:
            raise Outage("connection refused")
        sent.append(chunk)

    purger = Purger(send, XKEY, delay=0)
    monkeypatch.setattr(tracked_cache, "_stores", [purger])
    written = api_client("alice-token").patch(
        f"{API}books/{book.pk}/", {"title": "While down"}, format="json"
    )
    assert written.status_code == 200
    assert sent == []
    assert PendingInvalidation.objects.count() == 1
    assert "Could not purge" in caplog.text

    refusing = False
    assert tracked_cache.relay() == 1
    assert sent
    assert not PendingInvalidation.objects.exists()


def test_a_second_purge_follows_the_first_after_the_delay(book, monkeypatch):
    sent: list[list[str]] = []
    purger = Purger(sent.append, XKEY, delay=0.01)
    purger.invalidate({"bookshop_book": {f"#{book.pk}", "@title"}})
    purger.wait()
    assert len(sent) == 2
    assert sent[0] == sent[1]
