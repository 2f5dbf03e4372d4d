"""The async views served by uvicorn, against a real ``redis-server``, under concurrent
traffic: async readers of every kind while a writer writes through the sync tracked views.
Once the writes are acknowledged, every read equals the uncached API, through both. (A write
through the async views, in a worker thread, is the same write: the ASGI copy test and
``test_hits.py`` show it.)"""

from collections.abc import Iterator

import pytest
import redis

from harness.testing import RedisServer
from harness.traffic import LiveServer, live_server, run_traffic, stale_reads

# The worker that runs the other live servers runs this one, one server at a time.
pytestmark = [
    pytest.mark.real_redis,
    pytest.mark.concurrency,
    pytest.mark.xdist_group("live-server"),
]


@pytest.fixture(scope="module")
def uvicorn_server(redis_server: RedisServer, tmp_path_factory) -> Iterator[LiveServer]:
    client = redis.Redis(port=redis_server.port, db=3)
    client.flushdb()
    with live_server(
        tmp_path_factory.mktemp("asgi"),
        f"redis://127.0.0.1:{redis_server.port}/3",
        workers=1,
        asgi=True,
    ) as running:
        yield running
    client.flushdb()
    client.close()


# --8<-- [start:served]
def test_no_async_read_outlives_a_sync_write_under_concurrent_traffic(uvicorn_server):
    report = run_traffic(
        uvicorn_server, "async-cache", writes_to="tracked", readers=4, rounds=3
    )

    assert report.errors == []
    assert report.writes == 18  # three rounds over books 1, 2 and 51
    assert stale_reads(uvicorn_server, "async-cache") == []
    assert stale_reads(uvicorn_server, "tracked") == []


# --8<-- [end:served]
