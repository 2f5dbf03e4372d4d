"""The outbox: a write's marks are a row of its own transaction until Redis takes them, so
no invalidation is lost to an outage, and nothing is sent for a rollback."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from redis.exceptions import ConnectionError as RedisConnectionError

from harness.testing import timing
from recipes.bookshop.models import Author, Book
from recipes.tracked.outbox import PendingInvalidation
from recipes.tracked.tracked_cache import _delivery, quietly
from recipes.tracked.views import store

DETAIL = "/api/tracked/books/{}/"


@pytest.fixture
def redis_away(monkeypatch):
    """Take Redis away from the tracked store (refused connections) until called."""

    def refused(self, key):
        raise RedisConnectionError("Connection refused")

    monkeypatch.setattr(type(store), "_redis", refused)
    return monkeypatch.undo


@pytest.fixture
def alice(api_client, book):
    """Alice, whose detail page of ``book`` is a hit."""
    alice = api_client("alice-token")
    alice.get(DETAIL.format(book.pk))
    assert timing(alice.get(DETAIL.format(book.pk))).cache == "hit"
    return alice


def test_a_delivered_write_leaves_no_row(
    alice, book, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        alice.patch(DETAIL.format(book.pk), {"title": "Delivered"}, format="json")

    assert not PendingInvalidation.objects.exists()
    assert alice.get(DETAIL.format(book.pk)).json()["title"] == "Delivered"


def test_the_row_is_written_in_the_writer_s_transaction(book):
    with transaction.atomic():
        Book.objects.filter(pk=book.pk).update(title="Never")
        kept = list(PendingInvalidation.objects.values_list("marks", flat=True))
        transaction.set_rollback(True)

    assert len(kept) == 1
    assert "bookshop_book" in kept[0]
    assert not PendingInvalidation.objects.exists()  # rolled back with the write


# --8<-- [start:outage]
def test_marks_redis_could_not_take_are_relayed_before_the_next_read(
    alice, book, redis_away, django_capture_on_commit_callbacks
):
    path = DETAIL.format(book.pk)
    with django_capture_on_commit_callbacks(execute=True):
        written = alice.patch(path, {"title": "Written while away"}, format="json")
    assert written.status_code == 200  # the write never fails for the cache
    assert PendingInvalidation.objects.count() == 1

    redis_away()  # Redis is back, with the entries from before the write

    assert timing(alice.get(path)).cache == "miss"  # relayed first, so not the old one
    assert not PendingInvalidation.objects.exists()
    assert timing(alice.get(path)).cache == "hit"
    assert alice.get(path).json()["title"] == "Written while away"


def test_the_relay_command_sends_what_another_process_left(
    alice, book, redis_away, django_capture_on_commit_callbacks
):
    path = DETAIL.format(book.pk)
    with django_capture_on_commit_callbacks(execute=True):
        alice.patch(path, {"title": "Written while away"}, format="json")
    redis_away()
    _delivery.reset()  # the writer is gone: only its row is left

    call_command("relay_invalidations")

    assert not PendingInvalidation.objects.exists()
    assert alice.get(path).json()["title"] == "Written while away"


# --8<-- [end:outage]


def test_without_the_outbox_redis_serves_the_entry_from_before_the_write(
    alice, book, redis_away, django_capture_on_commit_callbacks
):
    """The pitfall the outbox closes: once Redis is back, its entries from before the
    write are current, since Redis never heard of it."""
    path = DETAIL.format(book.pk)
    with django_capture_on_commit_callbacks(execute=True):
        alice.patch(path, {"title": "Written while away"}, format="json")
    redis_away()

    _delivery.reset()  # another process, which saw no failure and runs no relay

    assert alice.get(path).json()["title"] == book.title


def test_the_relay_command_fails_while_redis_is_away_and_keeps_the_rows(
    book, redis_away, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Book.objects.filter(pk=book.pk).update(title="Kept")

    with pytest.raises(CommandError, match="left in the outbox"):
        call_command("relay_invalidations")

    assert PendingInvalidation.objects.count() == 1


def test_while_redis_is_away_a_read_tries_the_relay_once_per_retry(
    alice, book, redis_away, django_capture_on_commit_callbacks, monkeypatch
):
    relays = []
    monkeypatch.setattr(_delivery, "retry_now", lambda: relays.append(1))
    with django_capture_on_commit_callbacks(execute=True):
        Book.objects.filter(pk=book.pk).update(title="Away")

    for _ in range(3):
        assert timing(alice.get(DETAIL.format(book.pk))).cache == "miss"

    assert relays == [1]  # the next, ``retry`` seconds later


def test_the_writing_process_retries_until_redis_takes_the_marks(
    alice, book, redis_away, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Book.objects.filter(pk=book.pk).update(title="Retried")
    assert _delivery.timer.is_alive()

    _delivery.retry_now()  # what the timer runs: Redis still away, so once more later
    assert PendingInvalidation.objects.count() == 1
    assert _delivery.timer.is_alive()

    redis_away()
    _delivery.retry_now()

    assert not PendingInvalidation.objects.exists()
    assert not _delivery.undelivered
    assert alice.get(DETAIL.format(book.pk)).json()["title"] == "Retried"


def test_outside_a_transaction_the_row_is_kept_ahead_then_made_exact(
    book, redis_away, monkeypatch, django_capture_on_commit_callbacks
):
    """A write outside any transaction commits as it runs: its row is written first, for
    the whole table, and rewritten with the exact marks when they could not go."""
    monkeypatch.setattr(connection, "get_autocommit", lambda: True)
    before_the_write = []

    def look(execute, sql, params, many, context):  # runs inside the tracked wrapper
        if sql.startswith("UPDATE"):
            before_the_write.extend(PendingInvalidation.objects.values_list("marks"))
        return execute(sql, params, many, context)

    with (
        django_capture_on_commit_callbacks(execute=True),
        connection.execute_wrapper(look),
    ):
        Book.objects.filter(pk=book.pk).update(title="Ahead")

    assert before_the_write == [({"bookshop_book": ["*"]},)]
    (row,) = PendingInvalidation.objects.values_list("marks", flat=True)
    assert "*" not in row["bookshop_book"]
    assert f"#{book.pk}" in row["bookshop_book"]


def test_outside_a_transaction_a_failed_write_forgets_its_row(book, monkeypatch):
    monkeypatch.setattr(connection, "get_autocommit", lambda: True)
    kept, forgotten = [], []
    keep, forget = _delivery.keep, _delivery.forget
    monkeypatch.setattr(
        _delivery, "keep", lambda *args: kept.append(keep(*args)) or kept[-1]
    )
    monkeypatch.setattr(
        _delivery,
        "forget",
        lambda *rows, **using: forgotten.extend(rows) or forget(*rows, **using),
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        Book.objects.filter(pk=book.pk).update(title=None)

    assert len(kept) == 1
    assert forgotten == kept  # the row written ahead, deleted with the failed write


def test_a_row_kept_in_another_database_is_deleted_there(autocommitted):
    alias, _ = autocommitted

    Author.objects.using(alias).create(name="Elsewhere")  # its row, kept ahead there

    assert not PendingInvalidation.objects.using(alias).exists()


def test_the_relay_command_sends_another_database_s_outbox(autocommitted, monkeypatch):
    alias, _ = autocommitted
    sent = []
    monkeypatch.setattr(
        type(store), "invalidate", lambda _, marks: sent.append(marks) or True
    )
    with quietly():
        PendingInvalidation.objects.using(alias).create(marks={"bookshop_book": ["#7"]})

    call_command("relay_invalidations", "--database", alias, stdout=io.StringIO())

    assert sent == [{"bookshop_book": {"#7"}}]
    assert not PendingInvalidation.objects.using(alias).exists()
