"""What goes wrong with the async cache tools a reader finds first, each shown failing
beside what the recipe does instead."""

import asyncio
import threading
from contextlib import contextmanager, suppress

import django
from asgiref.sync import async_to_sync, sync_to_async
from django.core.cache import cache

from harness.testing import timing
from recipes.async_cache import views

from .naive import WritersListsOnly

BOOKS = "/api/async-cache/books/"


# --8<-- [start:aincr]
def test_djangos_aincr_loses_increments_under_concurrent_coroutines_before_6():
    """Django 5.2's ``BaseCache.aincr`` is ``aget`` then ``aset``: twenty coroutines all
    read 0. Django 6 calls the backend's own ``incr`` (django-redis's is atomic)."""
    cache.set("visits", 0)

    async def twenty_visits():
        await asyncio.gather(*(cache.aincr("visits") for _ in range(20)))

    async_to_sync(twenty_visits)()
    if django.VERSION < (6,):
        assert cache.get("visits") < 20
    else:
        assert cache.get("visits") == 20


def test_an_asyncio_client_s_incr_counts_every_coroutine():
    async def twenty_visits():
        client = await views.reader.client()
        await client.delete("visits:native")
        await asyncio.gather(*(client.incr("visits:native") for _ in range(20)))
        return int(await client.get("visits:native"))

    assert async_to_sync(twenty_visits)() == 20


# --8<-- [end:aincr]


# --8<-- [start:one_at_a_time]
def test_sync_to_async_around_a_sync_cache_call_runs_one_read_at_a_time():
    """Django's ``aget`` and friends are ``sync_to_async(get)``: each coroutine's read
    waits for its turn in one thread, however many are waiting."""

    async def five(read):
        await asyncio.gather(*(read() for _ in range(5)))

    in_a_thread, on_the_loop = ReadsTogether(5), ReadsTogether(5)
    async_to_sync(five)(sync_to_async(in_a_thread.sync_read))
    async_to_sync(five)(on_the_loop.async_read)
    assert (in_a_thread.most, on_the_loop.most) == (1, 5)


class ReadsTogether:
    """Counts the reads in progress at once; each waits (a moment at most, in a thread)
    for ``expected`` reads to be in progress together."""

    def __init__(self, expected: int) -> None:
        self.now = self.most = 0
        self.lock = threading.Lock()
        self.in_threads = threading.Barrier(expected, timeout=0.2)
        self.on_the_loop = asyncio.Barrier(expected)

    @contextmanager
    def counted(self):
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
        try:
            yield
        finally:
            with self.lock:
                self.now -= 1

    def sync_read(self) -> None:
        with self.counted(), suppress(threading.BrokenBarrierError):
            self.in_threads.wait()  # broken when no other read comes

    async def async_read(self) -> None:
        with self.counted():
            await asyncio.wait_for(self.on_the_loop.wait(), timeout=5)


# --8<-- [end:one_at_a_time]


# --8<-- [start:writers_lists]
def test_invalidating_only_the_writers_lists_leaves_the_anonymous_list_stale(
    api_client, asgi_caller, book_id, django_capture_on_commit_callbacks
):
    naive = WritersListsOnly()
    anonymous = naive.read(None, lambda: {"title": "Before"})
    naive.written(user_id=1)  # alice renamed the book: her lists are dropped
    assert naive.read(None, lambda: {"title": "After"}) == anonymous  # stale

    visitor = asgi_caller(api_client("anonymous"))
    visitor.get(f"{BOOKS}{book_id}/")
    with django_capture_on_commit_callbacks(execute=True):
        asgi_caller(api_client("alice-token")).patch(
            f"{BOOKS}{book_id}/", {"title": "After"}
        )
    after = visitor.get(f"{BOOKS}{book_id}/")
    assert (timing(after).cache, after.json()["title"]) == ("miss", "After")


# --8<-- [end:writers_lists]
