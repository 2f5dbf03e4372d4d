"""The store's defences, each against the failure it is built for: evicted marks, an
evicted counter, a Redis that refuses writes, a Redis that is down, a racing store."""

import logging
from contextlib import suppress
from typing import Any

import pytest
from django.db import connection, transaction
from django_redis import get_redis_connection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from harness.testing import timing
from recipes.bookshop.models import Author, Book, Review
from recipes.tracked.tracked_cache import (
    MISSING,
    TrackedCache,
    collect,
    statement_reads,
)
from recipes.tracked.views import store

DETAIL = "/api/tracked/books/{}/"


@pytest.fixture
def alice_read_twice(api_client, book):
    """Alice's detail page of ``book``, read until it is a hit; returns the reader."""
    alice = api_client("alice-token")
    alice.get(DETAIL.format(book.pk))
    assert timing(alice.get(DETAIL.format(book.pk))).cache == "hit"
    return lambda: alice.get(DETAIL.format(book.pk))


def redis_key(suffix: str) -> str:
    from django.core.cache import cache

    return cache.make_key(f"{{tracked}}:{suffix}")


def test_evicted_marks_of_a_table_end_its_entries_at_its_next_mark(
    alice_read_twice, book, django_capture_on_commit_callbacks
):
    """The marks lost were all at or below the table's last mark, which the entry's read
    saw: nothing changed, and the entry stays a hit. The next mark of the table, of any
    row, ends it: its hash no longer holds the count the entry was stored with."""
    get_redis_connection("default").delete(redis_key("marks:bookshop_book"))
    assert timing(alice_read_twice()).cache == "hit"

    other = Book.objects.exclude(pk=book.pk).first()
    with django_capture_on_commit_callbacks(execute=True):
        Book.objects.filter(pk=other.pk).update(title="Another row")
    assert timing(alice_read_twice()).cache == "miss"
    assert timing(alice_read_twice()).cache == "hit"  # born again, stored again


def test_evicted_last_marks_are_read_from_each_tables_hash(
    alice_read_twice, book, django_capture_on_commit_callbacks
):
    """Without the hash of last marks, a hit checks each table in its own hash: still
    a hit while nothing was written, a miss once its row is."""
    redis = get_redis_connection("default")
    redis.delete(redis_key("lasts"))
    assert timing(alice_read_twice()).cache == "hit"

    redis.delete(redis_key("lasts"))
    with django_capture_on_commit_callbacks(execute=True):
        Book.objects.filter(pk=book.pk).update(title="Marked without its last")
    redis.hdel(redis_key("lasts"), "bookshop_book")  # evicted again, after the mark
    assert alice_read_twice().json()["title"] == "Marked without its last"


def test_evicted_marks_and_last_marks_make_the_entries_misses_at_the_next_mark(
    alice_read_twice, book, django_capture_on_commit_callbacks
):
    """Nothing marked since, nothing was lost: still a hit. The next mark of any row of
    the table finds neither the table's last mark nor its hash: a miss."""
    redis = get_redis_connection("default")
    redis.delete(redis_key("lasts"), redis_key("marks:bookshop_book"))
    assert timing(alice_read_twice()).cache == "hit"

    redis.delete(redis_key("lasts"))
    other = Book.objects.exclude(pk=book.pk).first()
    with django_capture_on_commit_callbacks(execute=True):
        Book.objects.filter(pk=other.pk).update(title="Another row")
    redis.delete(redis_key("lasts"))
    assert timing(alice_read_twice()).cache == "miss"
    assert timing(alice_read_twice()).cache == "hit"  # born again, stored again


def test_a_table_marked_since_the_read_has_its_fields_checked_the_others_not(
    alice_read_twice, book, django_capture_on_commit_callbacks
):
    """A table's hash holds its last mark's count: the entry's fields are read only when
    it is above the entry's; a mark of another row leaves the entry current."""
    other = Book.objects.exclude(pk=book.pk).first()
    with django_capture_on_commit_callbacks(execute=True):
        Book.objects.filter(pk=other.pk).update(title="Another row")
    assert timing(alice_read_twice()).cache == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        Book.objects.filter(pk=book.pk).update(title="This row")
    assert alice_read_twice().json()["title"] == "This row"


def test_marks_left_without_a_last_count_are_all_checked(alice_read_twice, book):
    """A hash whose marks were written without ``~last`` (by 0.5.0, which kept no hash
    of last marks either) has its entry's fields read, rather than taken as unmarked."""
    redis = get_redis_connection("default")
    marks = redis_key("marks:bookshop_book")
    above = int(redis.get(redis_key("count"))) + 1
    redis.hdel(marks, "~last")
    redis.hdel(redis_key("lasts"), "bookshop_book")
    redis.set(redis_key("count"), above)  # the book's row marked, as 0.5.0 did
    redis.hset(marks, f"#{book.pk}", above)
    assert timing(alice_read_twice()).cache == "miss"


def test_an_evicted_counter_restarts_above_every_count(
    alice_read_twice, book, django_capture_on_commit_callbacks
):
    redis = get_redis_connection("default")
    before = int(redis.get(redis_key("count")))
    redis.delete(redis_key("count"))

    with django_capture_on_commit_callbacks(execute=True):
        Book.objects.filter(pk=book.pk).update(title="After the eviction")

    assert int(redis.get(redis_key("count"))) > before
    assert alice_read_twice().json()["title"] == "After the eviction"


def test_a_full_redis_makes_the_tables_entries_misses(
    alice_read_twice, book, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    redis = get_redis_connection("default")
    refusing = type(
        "Full",
        (),
        {
            "evalsha": lambda self, *args: (_ for _ in ()).throw(
                ResponseError("OOM command not allowed when used memory > 'maxmemory'")
            ),
            "pipeline": lambda self, **options: redis.pipeline(**options),
        },
    )()
    monkeypatch.setattr(type(store), "_redis", lambda self, key: refusing)

    with django_capture_on_commit_callbacks(execute=True):
        Book.objects.filter(pk=book.pk).update(title="Written when full")
    monkeypatch.undo()

    assert not redis.exists(redis_key("marks:bookshop_book"))
    assert not redis.hexists(redis_key("lasts"), "bookshop_book")
    assert alice_read_twice().json()["title"] == "Written when full"
    assert "by deletes" in caplog.text


def test_a_lost_invalidation_is_logged_with_its_tables(
    book, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    def down(self, key):
        raise RedisConnectionError("Connection refused")

    monkeypatch.setattr(type(store), "_redis", down)
    with (
        caplog.at_level(logging.WARNING, "recipes.tracked"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        Book.objects.filter(pk=book.pk).update(title="Lost")

    assert "Could not invalidate" in caplog.text
    assert "bookshop_book" in caplog.text


def test_a_store_that_raced_a_write_is_never_served(
    api_client, book, django_capture_on_commit_callbacks
):
    """A miss reads, a write commits and marks, and only then does the miss store."""
    alice = api_client("alice-token")
    found = store.get("raced")
    with collect() as read:
        Book.objects.get(pk=book.pk)  # the miss's read, before the write
    with django_capture_on_commit_callbacks(execute=True):  # the write commits
        Book.objects.filter(pk=book.pk).update(title="Committed meanwhile")

    store.set("raced", "old rows", read, timeout=60, seen=found.seen)

    assert store.get("raced").value is MISSING
    assert alice.get(DETAIL.format(book.pk)).json()["title"] == "Committed meanwhile"


@pytest.mark.parametrize("lasts", ["kept", "evicted"])
def test_a_store_checks_the_fields_of_the_tables_marked_since_its_read(
    book, django_capture_on_commit_callbacks, lasts
):
    """A mark since the read of another row leaves the store free; a mark of a row it
    read refuses it, found through the hash of last marks or, without it, through the
    table's own hash."""
    other = Book.objects.exclude(pk=book.pk).first()
    with collect() as first:  # the table's hash is born with a first entry
        Book.objects.get(pk=book.pk)
    assert store.set("first", "rows", first, timeout=60, seen=store.get("first").seen)

    def store_after(write_pk: int) -> bool:
        key = f"race-{write_pk}-{lasts}"
        found = store.get(key)
        with collect() as read:
            Book.objects.get(pk=book.pk)
        with django_capture_on_commit_callbacks(execute=True):
            Book.objects.filter(pk=write_pk).update(title=f"Marked {write_pk}")
        if lasts == "evicted":
            get_redis_connection("default").delete(redis_key("lasts"))
        return store.set(key, "rows", read, timeout=60, seen=found.seen)

    assert store_after(other.pk) is True
    assert store_after(book.pk) is False


def test_raw_sql_reads_depend_on_their_tables_whole(bookshop):
    with connection.cursor() as cursor, collect() as read:
        cursor.execute("SELECT COUNT(*) FROM bookshop_review")

    assert read == {"bookshop_review": {"*", "@*"}}


def test_an_equality_on_a_key_narrows_what_a_query_depends_on(bookshop):
    from recipes.bookshop.models import Favorite

    with collect() as read:
        list(Favorite.objects.filter(user_id=2).values_list("book_id", flat=True))

    assert read["bookshop_favorite"] == {
        "*",
        "user_id=2@+",
        "user_id=2@user_id",
        "user_id=2@book_id",
    }


def test_the_same_statement_remembered_reads_by_its_own_parameters(bookshop):
    from recipes.bookshop.models import Favorite

    def favorites_of(user_id: int) -> set[str]:
        with collect() as read:
            list(Favorite.objects.filter(user_id=user_id).values_list("book_id"))
        return read["bookshop_favorite"]

    assert favorites_of(1) == favorites_of(1) != favorites_of(2)
    assert "user_id=2@+" in favorites_of(2)


def test_a_patched_execute_sql_that_hides_its_compiler_reads_tables_whole(
    bookshop, monkeypatch
):
    """Another library's patch of ``execute_sql`` may name its compiler otherwise: the
    statement is read as raw SQL (its tables whole), never an error."""
    from django.db.models.sql.compiler import SQLCompiler

    original = SQLCompiler.execute_sql

    def execute_sql(compiler: SQLCompiler, *args: Any, **kwargs: Any) -> Any:
        return original(compiler, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "execute_sql", execute_sql)
    with collect() as read:
        list(Author.objects.filter(pk=1))

    assert read["bookshop_author"] == {"*", "@*"}


def test_statement_reads_without_a_compiler_is_the_whole_table():
    assert statement_reads('SELECT 1 FROM "bookshop_author"', None) == {
        "bookshop_author": {"*", "@*"}
    }


def test_a_subquery_over_the_same_table_depends_on_it_whole(bookshop):
    inner = Book.objects.filter(title__startswith="A").values("id")

    with collect() as read:
        list(Book.objects.filter(pk__in=inner))

    assert "@*" in read["bookshop_book"]


# --8<-- [start:round_trips]
def test_a_write_costs_one_script_per_statement_after_commit(
    api_client, book, monkeypatch
):
    scripts = []
    mark = TrackedCache.invalidate
    monkeypatch.setattr(
        TrackedCache, "invalidate", lambda self, m: scripts.append(m) or mark(self, m)
    )
    alice = api_client("alice-token")

    alice.patch(DETAIL.format(book.pk), {"title": "Edited"}, format="json")
    assert [sorted(m) for m in scripts] == [["bookshop_book"]]  # one UPDATE

    scripts.clear()
    alice.post(f"{DETAIL.format(book.pk)}favorite/")  # alice's favourite, removed
    assert [sorted(m) for m in scripts] == [["bookshop_favorite"]]  # one DELETE


def test_a_transaction_is_marked_in_one_script_without_its_savepoint_rolled_back(
    book, monkeypatch, django_capture_on_commit_callbacks
):
    scripts = []
    monkeypatch.setattr(TrackedCache, "invalidate", lambda self, m: scripts.append(m))
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        Book.objects.filter(pk=book.pk).update(title="One")
        Author.objects.filter(pk=book.author_id).update(name="Two")
        with suppress(RuntimeError), transaction.atomic():
            Review.objects.create(book=book, rating=5, body="Undone")
            raise RuntimeError  # the savepoint rolls back
    assert [sorted(m) for m in scripts] == [["bookshop_author", "bookshop_book"]]


# --8<-- [end:round_trips]


def test_a_miss_without_install_refuses_rather_than_cache_what_no_write_reaches(
    monkeypatch,
):
    from django.core.exceptions import ImproperlyConfigured

    from recipes.tracked import tracked_cache

    monkeypatch.setattr(tracked_cache, "_installed", False)

    with pytest.raises(ImproperlyConfigured, match="install"), collect():
        pass
