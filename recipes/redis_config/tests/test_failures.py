"""Redis down, stuck or back: the API answers, bounded in time, and caching resumes."""

import time

import pytest
from django.core.cache import caches
from redis.exceptions import ConnectionError as RedisConnectionError

from harness.testing import timing
from recipes.redis_config.redis_cache import builtin_redis_cache, django_redis_cache

BOOKS = "/api/cache-page/books/"


# --8<-- [start:stuck]
def test_a_stuck_redis_holds_a_request_no_longer_than_its_timeouts(
    settings, api_client, silent_server
):
    settings.CACHES = {
        "default": django_redis_cache(
            f"redis://127.0.0.1:{silent_server}/0",
            connect_timeout=0.2,
            read_timeout=0.2,
        )
    }
    started = time.monotonic()

    response = api_client("anonymous").get(BOOKS)

    assert response.status_code == 200
    assert response.json()["count"] == 60
    assert time.monotonic() - started < 5  # a get and a set, 0.2 s each, not forever


# --8<-- [end:stuck]


def test_a_redis_that_is_down_is_a_miss_and_the_api_answers(
    settings, api_client, caplog
):
    settings.CACHES = {"default": django_redis_cache("redis://127.0.0.1:1/0")}

    responses = [api_client("alice-token").get(BOOKS) for _ in range(2)]

    assert [r.status_code for r in responses] == [200, 200]
    assert [timing(r).cache for r in responses] == ["miss", "miss"]
    assert any(record.name.startswith("django_redis") for record in caplog.records)


# --8<-- [start:builtin_fails_closed]
def test_djangos_builtin_redis_cache_raises_when_redis_is_down(settings, bookshop):
    settings.CACHES = {"default": builtin_redis_cache("redis://127.0.0.1:1/0")}

    with pytest.raises(RedisConnectionError):
        caches["default"].get("anything")  # no fail-open option: a 500 in a view


# --8<-- [end:builtin_fails_closed]


def test_the_status_endpoint_reports_an_unreachable_cache(settings, api_client):
    settings.CACHES = {"default": django_redis_cache("redis://127.0.0.1:1/0")}

    [status] = api_client("anonymous").get("/api/redis-config/cache-status/").json()

    assert status["reachable"] is False
    assert status["fails_open"] is True
    assert status["error"] == "ConnectionError"


def test_the_status_endpoint_reports_the_embedded_cache(api_client):
    [status] = api_client("anonymous").get("/api/redis-config/cache-status/").json()
    assert status | {"ping_ms": 0} == {
        "alias": "default",
        "reachable": True,
        "error": None,
        "ping_ms": 0,
        "serializer": "PickleSerializer",
        "compressor": "ZlibCompressor",
        "fails_open": True,
    }


def test_the_status_endpoint_answers_for_a_cache_that_is_not_redis(
    settings, api_client
):
    settings.CACHES = {
        "default": settings.CACHES["default"],
        "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }

    statuses = api_client("anonymous").get("/api/redis-config/cache-status/").json()

    assert statuses[1]["reachable"] is None
    assert statuses[1]["error"] == "not a django-redis cache"
