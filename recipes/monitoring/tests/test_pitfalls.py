"""Metrics found in the wild: a label per path, and Redis's own hit ratio read as the API's."""

import pytest
from django.core.cache import caches

from harness.testing import RedisServer
from recipes.bookshop import sandbox
from recipes.monitoring.cache_metrics import (
    REGISTRY,
    redis_info,
    summary,
)

from .naive import NAIVE_REGISTRY, PATH_RESPONSES, keyspace_hit_ratio

POOL = "recipes.monitoring.cache_metrics.CountingConnectionPool"


def series(registry, name: str) -> int:
    """Return how many time series of ``name`` the registry holds."""
    return sum(
        sample.name == name
        for metric in registry.collect()
        for sample in metric.samples
    )


# --8<-- [start:per_path_pitfall]
def test_a_label_per_path_grows_a_series_per_book_where_a_route_keeps_one(
    bookshop, settings
):
    settings.MIDDLEWARE = [
        "recipes.monitoring.tests.naive.PathMetricsMiddleware",
        *settings.MIDDLEWARE,
    ]
    PATH_RESPONSES.clear()
    client = sandbox.client("anonymous")
    for book_id in range(1, 41):
        client.get(f"/api/versioning/books/{book_id}/")

    assert series(NAIVE_REGISTRY, "naive_cache_responses_total") == 40  # (1)!
    assert series(REGISTRY, "drf_cache_responses_total") == 1  # book-detail, miss


# --8<-- [end:per_path_pitfall]


# --8<-- [start:keyspace_pitfall]
@pytest.mark.real_redis
def test_redis_keyspace_ratio_is_not_the_apis_hit_ratio(
    bookshop, settings, redis_server: RedisServer
):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": redis_server.url,
            "OPTIONS": {"CONNECTION_POOL_CLASS": POOL},
        }
    }
    caches["default"].client.get_client().config_resetstat()
    client = sandbox.client("alice-token")
    for _ in range(4):  # one miss, then three hits
        client.get("/api/versioning/books/")

    api_ratio = summary()["responses"]["versioning"]["hit_ratio"]
    redis_ratio = keyspace_hit_ratio(redis_info()["default"])

    assert api_ratio == 0.75
    assert redis_ratio != api_ratio  # (1)!


# --8<-- [end:keyspace_pitfall]
