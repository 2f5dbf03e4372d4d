"""The recipes against a real ``redis-server``, including Redis going away.

Each test starts from an empty Redis that the test session owns (``redis_server``), never the
machine's own. Outside CI these tests skip when ``redis-server`` is missing; in CI they fail.
"""

import logging
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from harness.testing import (
    RedisServer,
    favorites_owed,
    favorites_shown,
    free_port,
    start_redis_server,
    timing,
    uncached_twin,
)
from recipes.bookshop.catalogue import installed_recipes
from recipes.redis_config.redis_cache import BREAKER, django_redis_cache
from recipes.settings import redis_cache
from recipes.tracked.outbox import PendingInvalidation

pytestmark = pytest.mark.real_redis
BOOKS = "/api/cache-page/books/"


def use_redis(settings, url: str) -> redis.Redis:
    """Point the default cache at ``url`` and return a plain client on the same database."""
    settings.CACHES = {"default": redis_cache(url)}
    client = redis.Redis.from_url(url)
    client.flushdb()
    return client


@pytest.fixture
def real_redis(settings, redis_server: RedisServer) -> Iterator[redis.Redis]:
    client = use_redis(settings, redis_server.url)
    yield client
    client.flushdb()
    client.close()


class KillableRedis:
    """A redis-server of one test's own, which the test may kill and start again."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.process = start_redis_server(self.port, workdir)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)

    def restart(self) -> None:
        self.process = start_redis_server(self.port, self.workdir)


@pytest.fixture
def killable_redis(
    settings, redis_server: RedisServer, tmp_path: Path
) -> Iterator[KillableRedis]:
    server = KillableRedis(tmp_path)
    use_redis(settings, server.url)
    yield server
    server.kill()


def test_a_hit_is_served_from_redis_with_no_queries(
    api_client, real_redis, django_assert_num_queries
):
    client = api_client("alice-token")
    assert timing(client.get(BOOKS)).cache == "miss"

    with django_assert_num_queries(0):
        hit = client.get(BOOKS)

    assert timing(hit).cache == "hit"
    assert real_redis.keys("*views.decorators.cache.cache_page*")


def test_each_user_gets_their_own_entry_in_redis(api_client, real_redis):
    for kind in ("alice-token", "bob-token", "alice-session", "anonymous"):
        api_client(kind).get(BOOKS)
    bob = api_client("bob-session").get(BOOKS)

    assert len(real_redis.keys("*views.decorators.cache.cache_page*")) == 5
    assert favorites_shown(bob) == favorites_owed("bob-session", favorites_shown(bob))


@pytest.mark.parametrize(("path", "seconds"), [(BOOKS, 60), (f"{BOOKS}1/", 300)])
def test_entries_expire_after_their_actions_timeout(
    api_client, real_redis, path, seconds
):
    api_client("anonymous").get(path)

    [key] = real_redis.keys("*views.decorators.cache.cache_page*")
    assert seconds - 5 < real_redis.ttl(key) <= seconds


# --8<-- [start:fail_open]
@pytest.mark.parametrize("books", [BOOKS, "/api/middleware/books/"])
def test_api_answers_correctly_while_redis_is_down_and_caches_again_after(
    api_client, killable_redis, caplog, books
):
    client = api_client("bob-token")
    client.get(books)
    assert timing(client.get(books)).cache == "hit"

    killable_redis.kill()
    with caplog.at_level(logging.ERROR, logger="django_redis"):
        while_down = [client.get(books) for _ in range(2)]

    assert [response.status_code for response in while_down] == [200, 200]
    assert [timing(response).cache for response in while_down] == ["miss", "miss"]
    assert favorites_shown(while_down[1]) == favorites_owed(
        "bob-token", favorites_shown(while_down[1])
    )
    assert any(record.name.startswith("django_redis") for record in caplog.records)

    killable_redis.restart()
    client.get(books)
    assert timing(client.get(books)).cache == "hit"


# --8<-- [end:fail_open]


def test_the_response_cache_keeps_one_entry_per_caller_in_redis(api_client, real_redis):
    for kind in ("alice-token", "alice-session", "bob-token"):
        api_client(kind).get("/api/middleware/authors/")

    keys = real_redis.keys(":1:response:*")
    assert len(keys) == 3
    assert all(295 < real_redis.ttl(key) <= 300 for key in keys)


def test_manual_keys_tags_invalidate_on_a_real_redis(api_client, real_redis):
    client = api_client("alice-token")
    path = "/api/manual-keys/books/1/"
    client.get(path)
    assert real_redis.smembers(":1:{manual-keys}:tag:book:1")

    client.patch(path, {"title": "Renamed on real Redis"}, format="json")

    assert not real_redis.exists(":1:{manual-keys}:tag:book:1")
    assert client.get(path).json()["title"] == "Renamed on real Redis"


def test_versioning_bumps_on_a_real_redis(api_client, real_redis):
    client = api_client("bob-token")
    client.get("/api/versioning/books/")
    before = int(real_redis.get(":1:ns:books"))

    client.patch("/api/versioning/books/1/", {"title": "Bumped"}, format="json")

    assert int(real_redis.get(":1:ns:books")) == before + 1
    assert timing(client.get("/api/versioning/books/")).cache == "miss"


class StoppableRedis(KillableRedis):
    """A redis-server that can be frozen (SIGSTOP): it accepts connections, never answers."""

    def stop(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)


@pytest.fixture
def stuck_redis(settings, redis_server, tmp_path) -> Iterator[StoppableRedis]:
    """A real Redis with short timeouts, frozen by the test when it says so."""
    server = StoppableRedis(tmp_path)
    settings.CACHES = {
        "default": django_redis_cache(
            server.url, connect_timeout=STUCK_TIMEOUT, read_timeout=STUCK_TIMEOUT
        )
    }
    BREAKER.reset()
    yield server
    server.resume()
    server.kill()
    BREAKER.reset()


STUCK_TIMEOUT = 0.3
RECIPE_READS = [
    pytest.param(
        f"/api/{recipe.slug}/{resource}/{detail}",
        id=f"{recipe.slug}-{resource}{detail and '-detail'}",
    )
    for recipe in installed_recipes()
    for resource in recipe.endpoints()
    if resource in ("books", "authors", "reviews")  # those the uncached API serves too
    for detail in ("", "1/")
    if not (resource == "reviews" and detail)
]


# --8<-- [start:stuck_every_recipe]
@pytest.mark.parametrize("path", RECIPE_READS)
def test_a_stuck_redis_costs_a_request_at_most_one_timeout(
    api_client, stuck_redis, path
):
    client = api_client("alice-token")
    client.get(path)  # fills the cache while Redis answers
    stuck_redis.stop()

    started = time.monotonic()
    answers = [client.get(path, HTTP_ACCEPT="application/json") for _ in range(3)]
    elapsed = time.monotonic() - started

    assert BREAKER.timeouts <= 1  # a call timed out at most once; the rest did not wait
    # Three requests; a timeout per cache call would cost each request several.
    assert elapsed < STUCK_TIMEOUT + 2.5
    fresh = client.get(uncached_twin(path), HTTP_ACCEPT="application/json")
    expected = fresh.content.decode().replace(
        "/api/uncached/", path[: path.index("/", 5) + 1]
    )
    for answer in answers:
        assert (answer.status_code, answer.content.decode()) == (200, expected)


# --8<-- [end:stuck_every_recipe]


def test_a_write_while_redis_is_stuck_answers_and_reads_stay_correct(
    api_client, stuck_redis
):
    client = api_client("alice-token")
    path = "/api/manual-keys/books/1/"
    client.get(path)
    stuck_redis.stop()

    renamed = client.patch(path, {"title": "Written while stuck"}, format="json")

    assert renamed.status_code == 200
    assert client.get(path).json()["title"] == "Written while stuck"
    assert BREAKER.timeouts == 1


def test_caching_resumes_once_the_breaker_cools_down(api_client, stuck_redis):
    client = api_client("bob-token")
    path = "/api/versioning/books/"
    stuck_redis.stop()
    client.get(path)
    assert BREAKER.is_open(f"127.0.0.1:{stuck_redis.port}")

    stuck_redis.resume()
    BREAKER.reset()  # the cooldown has passed

    client.get(path)
    assert timing(client.get(path)).cache == "hit"


def test_a_write_redis_missed_is_relayed_before_the_old_entry_is_served(
    api_client, stuck_redis
):
    """Tracked: the write's marks wait in the outbox while Redis is stuck; once it
    answers again, with the entry from before the write, the next read relays them."""
    client = api_client("alice-token")
    path = "/api/tracked/books/1/"
    client.get(path)
    assert timing(client.get(path)).cache == "hit"
    stuck_redis.stop()

    renamed = client.patch(path, {"title": "Written while stuck"}, format="json")
    assert renamed.status_code == 200
    assert PendingInvalidation.objects.count() == 1

    stuck_redis.resume()
    BREAKER.reset()  # the cooldown has passed

    assert client.get(path).json()["title"] == "Written while stuck"
    assert not PendingInvalidation.objects.exists()
    assert timing(client.get(path)).cache == "hit"
