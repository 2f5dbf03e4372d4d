"""A redis-server of this module's own, put under memory pressure test by test."""

from collections.abc import Callable, Iterator

import pytest
import redis

from harness.redis_server import free_port, start_redis_server
from harness.testing import RedisServer
from recipes.bookshop import sandbox
from recipes.settings import redis_cache


@pytest.fixture(scope="module")
def memory_server(redis_server, tmp_path_factory) -> Iterator[RedisServer]:
    """A private redis-server (``redis_server`` skips or fails where there is none)."""
    port = free_port()
    process = start_redis_server(port, tmp_path_factory.mktemp("memory"))
    yield RedisServer(port=port, process=process)
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def squeezed(memory_server, settings, bookshop) -> Callable[[str], redis.Redis]:
    """Return ``squeeze(policy)``: the demo's cache, empty, on a Redis under ``policy``
    (``tighten`` then fills it)."""
    client = redis.Redis(port=memory_server.port)
    sandbox.collect_cache_errors()  # the refusals are logged: keep them out of the output

    def squeeze(policy: str) -> redis.Redis:
        client.config_set("maxmemory", 0)
        client.config_set("maxmemory-policy", policy)
        settings.CACHES = {"default": redis_cache(memory_server.url)}
        warm_up()  # connections, buffers and Lua scripts: memory that stays
        client.flushall()
        client.config_resetstat()
        return client

    yield squeeze
    client.config_set("maxmemory", 0)
    client.flushall()


def warm_up() -> None:
    """Send a request of each kind of recipe once, each caller's credentials included."""
    for kind in ("anonymous", "alice-token", "bob-session"):
        for slug in (
            "manual-keys",
            "signals",
            "tracked",
            "serializer-fields",
            "stampede",
        ):
            sandbox.client(kind).get(f"/api/{slug}/books/1/")


def tighten(client: redis.Redis, below: int = 20_000) -> None:
    """Lower Redis's limit below what it uses now: from now on every write evicts first
    (``*-lru``), or is refused (``noeviction``)."""
    client.config_set("maxmemory", client.info("memory")["used_memory"] - below)
