"""The counters equal what happened, exactly; errors are counted; the endpoints parse."""

import pytest
from django.core.cache import caches
from django_redis.pool import ConnectionFactory
from prometheus_client.parser import text_string_to_metric_families
from rest_framework.test import APIRequestFactory

from recipes.bookshop import sandbox
from recipes.monitoring.cache_metrics import (
    REGISTRY,
    MetricsViewSet,
    key_group,
    summary,
)

POOL = "recipes.monitoring.cache_metrics.CountingConnectionPool"
PROMETHEUS_ACCEPT = "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"


def responses(namespace: str, route: str, outcome: str) -> float:
    value = REGISTRY.get_sample_value(
        "drf_cache_responses_total",
        {"namespace": namespace, "route": route, "outcome": outcome},
    )
    return value or 0.0


def commands(group: str) -> dict[str, float]:
    return dict(summary()["commands"].get(group, {}))


def errors() -> dict[str, float]:
    return dict(summary()["errors"])


def difference(after: dict[str, float], before: dict[str, float]) -> dict[str, float]:
    return {key: value - before.get(key, 0) for key, value in after.items()} | {
        key: -value for key, value in before.items() if key not in after
    }


# --8<-- [start:scripted]
SCRIPT = [  # (path, what its cache does)
    ("/api/versioning/books/", ("versioning", "book-list", "miss")),
    ("/api/versioning/books/", ("versioning", "book-list", "hit")),
    ("/api/versioning/books/?page=2", ("versioning", "book-list", "miss")),
    ("/api/versioning/books/", ("versioning", "book-list", "hit")),
    ("/api/versioning/books/1/", ("versioning", "book-detail", "miss")),
    ("/api/versioning/books/1/", ("versioning", "book-detail", "hit")),
    ("/api/middleware/authors/", ("middleware", "author-list", "miss")),
    ("/api/middleware/authors/", ("middleware", "author-list", "hit")),
    ("/api/uncached/books/", ("uncached", "book-list", "bypass")),
]


def test_the_response_counters_equal_a_scripted_sequence_exactly(bookshop):
    client = sandbox.client("alice-token")
    counted = {labels for _, labels in SCRIPT}
    before = {labels: responses(*labels) for labels in counted}

    for path, _ in SCRIPT:
        client.get(path)

    after = {labels: responses(*labels) - before[labels] for labels in counted}
    assert after == {
        labels: sum(1 for _, each in SCRIPT if each == labels) for labels in counted
    }


# --8<-- [end:scripted]


def test_the_summary_gives_each_namespace_its_hit_ratio(bookshop):
    client = sandbox.client("anonymous")
    for _ in range(4):  # one miss, three hits
        client.get("/api/versioning/authors/")

    assert summary()["responses"]["versioning"]["hit_ratio"] == 0.75


def test_the_command_counters_equal_a_scripted_sequence_exactly(bookshop):
    cache = caches["default"]
    cache.get("warm")  # the connection's handshake is counted in the group "-"
    before = commands("ns")

    cache.set("ns:books", 1)
    cache.get("ns:books")
    cache.get_many(["ns:books", "ns:authors"])
    cache.incr("ns:books")  # django-redis increments with a Lua script
    cache.delete("ns:books")
    cache.set_many({"ns:a": 1, "ns:b": 2})  # a transaction of two SETs

    assert difference(commands("ns"), before) == {
        "set": 3,
        "get": 1,
        "mget": 1,
        "eval": 1,
        "del": 1,
    }


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (("GET", b":1:ns:books"), "ns"),
        (("SET", ":1:response:ab12", "value"), "response"),
        (("GET", b"app:3:auth:token:ff"), "auth"),
        (("EVALSHA", "sha", 2, b":1:{manual-keys}:tag:books", b"x"), "{manual-keys}"),
        (("EVALSHA", "sha", 0), "-"),
        (("GET", b":1:user_17_profile"), "other"),
        (("PING",), "-"),
        (("MULTI",), "-"),
    ],
)
def test_a_command_is_counted_in_the_group_of_its_first_key(command, expected):
    assert key_group(command[0].lower(), command) == expected


# --8<-- [start:errors]
def test_the_error_counter_moves_when_redis_is_down_and_the_api_answers(
    bookshop, settings, monkeypatch
):
    # django-redis keeps one pool per URL for the whole process, made with the pool class
    # of the first cache that asked: a fresh one here, made with the counting class.
    monkeypatch.setattr(ConnectionFactory, "_pools", {})
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "CONNECTION_POOL_CLASS": POOL,
            },
        }
    }
    sandbox.collect_cache_errors()  # keep django-redis's tracebacks out of the output
    before = errors()

    response = sandbox.client("anonymous").get("/api/versioning/books/")

    assert response.status_code == 200
    assert difference(errors(), before)["ConnectionError"] > 0


# --8<-- [end:errors]


# --8<-- [start:exposition]
def test_the_metrics_endpoint_answers_in_prometheus_text(bookshop):
    client = sandbox.client("anonymous")
    client.get("/api/versioning/books/")

    response = client.get("/api/monitoring/metrics/", HTTP_ACCEPT=PROMETHEUS_ACCEPT)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    families = {
        family.name: family
        for family in text_string_to_metric_families(response.content.decode())
    }
    assert {"drf_cache_responses", "drf_cache_commands", "drf_cache_errors"} <= set(
        families
    )
    assert any(
        sample.labels
        == {"namespace": "versioning", "route": "book-list", "outcome": "miss"}
        for sample in families["drf_cache_responses"].samples
    )


# --8<-- [end:exposition]


def test_the_metrics_are_for_staff_unless_the_view_says_otherwise(bookshop):
    view = MetricsViewSet.as_view({"get": "list"})

    response = view(APIRequestFactory().get("/metrics/"))

    assert response.status_code in (401, 403)
