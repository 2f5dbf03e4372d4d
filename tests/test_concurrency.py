"""Every invalidating recipe under concurrent traffic: a real server, real Redis, threads.

gunicorn serves the demo with two worker processes of eight threads; eight reader threads
(anonymous, token and session callers) read the same books and authors while a writer
edits, moves, reviews, favourites, creates and deletes books through the API. Once the
writes stop, every URL read as every caller must equal the uncached API: an entry stored
from rows loaded before a write, after that write's invalidation, would differ.
"""

from collections.abc import Iterator

import pytest
import redis

from harness.testing import RedisServer
from harness.traffic import (
    CALLERS,
    LiveServer,
    burst,
    live_server,
    run_traffic,
    stale_not_modified,
    stale_reads,
)

# One worker runs this module: its server is started once, for all of its tests.
pytestmark = [
    pytest.mark.real_redis,
    pytest.mark.concurrency,
    pytest.mark.xdist_group("live-server"),
]
INVALIDATING = [
    "manual-keys",
    "versioning",
    "signals",
    "tracked",
    "serializer-fields",
    "stampede",
]


@pytest.fixture(scope="module")
def cache_db(redis_server: RedisServer) -> Iterator[redis.Redis]:
    client = redis.Redis(port=redis_server.port, db=1)
    client.flushdb()
    yield client
    client.close()


@pytest.fixture(scope="module")
def server(redis_server, cache_db, tmp_path_factory) -> Iterator[LiveServer]:
    with live_server(
        tmp_path_factory.mktemp("live"),
        f"redis://127.0.0.1:{redis_server.port}/1",
        settings="recipes.manual_keys.tests.unchecked.settings",
    ) as running:
        yield running


# --8<-- [start:no_stale_entry]
@pytest.mark.parametrize("slug", INVALIDATING)
def test_no_entry_outlives_a_write_under_concurrent_traffic(server, cache_db, slug):
    report = run_traffic(server, slug)

    assert report.errors == []
    assert report.writes >= 30
    assert stale_reads(server, slug) == []


# --8<-- [end:no_stale_entry]


# --8<-- [start:no_stale_304]
def test_no_304_confirms_a_body_that_a_write_changed(server, cache_db):
    report = run_traffic(server, "conditional")

    assert report.errors == []
    # Readers were given ETags throughout, and read every path again after the writes.
    assert len(report.validators) > len(CALLERS) * 8
    assert stale_not_modified(server, report) == []


# --8<-- [end:no_stale_304]


# --8<-- [start:unchecked_race]
def test_an_unchecked_tag_store_keeps_stale_entries_under_the_same_traffic(
    server, cache_db
):
    found = []
    for _ in range(5):  # the race is likely in each run, not certain
        run_traffic(server, "manual-keys-unchecked")
        if found := stale_reads(server, "manual-keys-unchecked"):
            break

    assert found, "five runs without a stale read: the race did not happen"


# --8<-- [end:unchecked_race]


# --8<-- [start:burst]
def test_forty_concurrent_cold_requests_run_the_guarded_view_once(server, cache_db):
    outcomes = burst(server, "/api/stampede/books/?page=1&burst=guarded")

    assert outcomes.count("miss") == 1
    assert set(outcomes) <= {"miss", "waited", "hit"}


def test_forty_concurrent_cold_requests_run_an_unguarded_view_many_times(
    server, cache_db
):
    outcomes = burst(server, "/api/signals/books/?page=1&burst=unguarded")

    assert outcomes.count("miss") > 1


# --8<-- [end:burst]
