"""The naive version's two faults, shown failing: these tests pass by demonstrating them."""

import threading

from django.core.cache import cache, caches

from recipes.versioning.tests.naive import VersionedCache


# --8<-- [start:naive_lost_bump]
def test_naive_concurrent_bumps_lose_one(bookshop, monkeypatch):
    both_have_read = threading.Barrier(2)
    backend = type(caches["default"])  # each thread has its own instance of it
    real_get = backend.get

    def get_then_wait(self, key, *args, **kwargs):
        value = real_get(self, key, *args, **kwargs)
        both_have_read.wait(timeout=5)  # each thread reads before either writes
        return value

    namespace = VersionedCache("books")
    namespace.version()
    monkeypatch.setattr(backend, "get", get_then_wait)
    threads = [threading.Thread(target=namespace.bump) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    monkeypatch.undo()

    assert namespace.version() == 2  # two bumps from 1, one lost


# --8<-- [end:naive_lost_bump]


# --8<-- [start:naive_eviction]
def test_naive_eviction_serves_an_old_generation_again(bookshop):
    namespace = VersionedCache("books")
    namespace.set("book:1", {"title": "Old title"})  # written under version 1
    namespace.bump()  # the title changes: version 2
    namespace.set("book:1", {"title": "New title"})

    cache.delete("version:books")  # evicted under memory pressure

    assert namespace.get("book:1") == {"title": "Old title"}  # version 1 is live again


# --8<-- [end:naive_eviction]
