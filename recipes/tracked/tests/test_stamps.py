"""A response this process holds is answered after one ``MGET`` of the counter and its
entries' stamps; anything else the stamps cannot say runs the read script, once."""

import pytest
from django_redis import get_redis_connection

from harness.testing import timing
from recipes.bookshop.models import Book
from recipes.tracked.tracked_cache import (
    MISSING,
    Held,
    Lookup,
    RenderedResponse,
    TrackedCache,
)
from recipes.tracked.views import store

from .test_early import JSON

LIST, DETAIL = "/api/tracked/books/", "/api/tracked/books/{}/"
ROW = {"bookshop_book": {"#1"}}


@pytest.fixture
def alice_holds(api_client, book, counted):
    """Alice's detail page of ``book``, read until this process holds it; returns a
    reader that says how the read was answered and which Redis commands it sent."""
    alice = api_client("alice-token")
    page = DETAIL.format(book.pk)

    def read() -> tuple[str, str, list[str]]:
        counted.restart()
        response = alice.get(page, **JSON)
        return timing(response).cache, response.json()["title"], counted.redis

    read(), read()
    assert read() == ("hit", book.title, ["MGET"])
    return read


def test_a_mark_of_another_row_costs_one_script_then_one_mget_again(
    alice_holds, book, django_capture_on_commit_callbacks
):
    """The counter moved, so the stamps no longer say "nothing marked since": the script
    checks the entry's fields, finds it current, and stamps it with the new count."""
    other = Book.objects.exclude(pk=book.pk).first()
    with django_capture_on_commit_callbacks(execute=True):
        Book.objects.filter(pk=other.pk).update(title="Another row")

    assert alice_holds() == ("hit", book.title, ["EVALSHA"])
    assert alice_holds() == ("hit", book.title, ["MGET"])


def test_a_mark_of_its_row_ends_the_held_response(
    alice_holds, book, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Book.objects.filter(pk=book.pk).update(title="Its own row")

    outcome, title, _ = alice_holds()
    assert (outcome, title) == ("miss", "Its own row")


def test_a_write_by_another_process_ends_the_held_response(
    alice_holds, book, monkeypatch, django_capture_on_commit_callbacks
):
    """This process learns nothing of the write: the counter read with the stamps says
    that something was marked since."""
    monkeypatch.setattr(store, "saw", lambda count: None)  # as if written elsewhere
    with django_capture_on_commit_callbacks(execute=True):
        Book.objects.filter(pk=book.pk).update(title="Written elsewhere")
    monkeypatch.undo()

    outcome, title, _ = alice_holds()
    assert (outcome, title) == ("miss", "Written elsewhere")


def test_after_another_process_wrote_one_read_learns_it_and_the_rest_run_the_script(
    alice_holds, book, api_client, counted
):
    """An ``MGET`` cannot succeed for a response held at an older count than the
    process has read since: once one read found the counter moved, every other goes to
    the script at once, one round trip as before."""
    anonymous = api_client("anonymous")
    for _ in range(3):
        anonymous.get(LIST, **JSON)
    another_process = TrackedCache(store.alias, name=store.name)
    another_process.invalidate({"bookshop_book": {"#999999"}})  # a row no page read

    counted.restart()
    assert timing(anonymous.get(LIST, **JSON)).cache == "hit"
    assert counted.redis == ["MGET", "EVALSHA"]  # the counter moved: learnt here
    assert alice_holds() == ("hit", book.title, ["EVALSHA"])


def test_a_counter_read_lower_than_before_does_not_keep_hits_from_the_mget(
    alice_holds, book, monkeypatch
):
    """Another Redis, or a flushed one, restarts the counter below what this process
    read: the next script read notes the count as it is now, and the MGET works again."""
    monkeypatch.setattr(store, "latest", 10**18)  # read from a Redis before this one
    assert alice_holds() == ("hit", book.title, ["EVALSHA"])
    assert alice_holds() == ("hit", book.title, ["MGET"])


def test_an_entry_stored_again_with_other_bytes_is_not_answered_from_the_held_one():
    """Stored again at the same count (nothing marked between, but a render that
    differs: a clock, a random order), the stamp holds another digest."""
    seen = store.get("stamped").seen
    first, second = (RenderedResponse("text/plain", body) for body in (b"1", b"2"))
    store.set("stamped", first, ROW, timeout=60, seen=seen)
    assert store.get("stamped").value == store.get("stamped").value == first

    store.set("stamped", second, ROW, timeout=60, seen=seen)
    assert store.get("stamped").value == second


def test_an_evicted_stamp_is_written_again_by_the_script(counted):
    seen = store.get("stamped").seen
    response = RenderedResponse("text/plain", b"kept")
    store.set("stamped", response, ROW, timeout=60, seen=seen)
    store.get("stamped")
    get_redis_connection("default").delete(store.stamp_key("stamped"))

    counted.restart()
    assert store.get("stamped").value == response  # still current: nothing marked
    assert store.get("stamped").value == response
    assert counted.redis == ["MGET", "EVALSHA", "MGET"]


# --8<-- [start:pitfall]
class StampWithoutCounter(TrackedCache):
    """Trusts an entry's stamp alone: a write marks fields, and no stamp changes."""

    def held_if_current(self, held: Held, cache) -> Lookup | None:
        stamps = self._redis(held.keys[0], cache).mget(held.keys[1:])
        expected = [b"%d %s" % (held.stamp, tag) for tag in held.tags]
        return Lookup(held.response, held.stamp) if stamps == expected else None


def test_a_stamp_read_without_the_counter_serves_a_marked_entry():
    seen = store.get("stamped").seen
    response = RenderedResponse("text/plain", b"before the write")
    store.set("stamped", response, ROW, timeout=60, seen=seen)
    store.get("stamped")  # held by this process

    store.invalidate(ROW)  # the row it read is written

    naive = StampWithoutCounter(store.alias, name=store.name)
    assert naive.get("stamped").value == response  # stale
    assert store.get("stamped").value is MISSING


# --8<-- [end:pitfall]
