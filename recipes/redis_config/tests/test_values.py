"""Every value the recipes store survives the configured serializer, on a real Redis."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import caches
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from recipes.redis_config.redis_cache import (
    COMPRESSORS,
    SERIALIZERS,
    django_redis_cache,
)

pytestmark = pytest.mark.real_redis

VALUES = {
    "decimal": Decimal("34.21"),
    "date": datetime.date(2005, 8, 6),
    "datetime": datetime.datetime(2026, 11, 24, 12, 0, tzinfo=datetime.UTC),
    "return-list": ReturnList([{"id": 1, "price": Decimal("9.50")}], serializer=None),
    "return-dict": ReturnDict({"id": 1, "title": "Cache Key 1"}, serializer=None),
    "rendered-bytes": b'{"count": 60, "results": []}' * 20,
    "none": None,
    "empty-list": [],
    "large-int": 2**53,
}


def plain_type(value):
    """DRF's ReturnList and ReturnDict pickle as list and dict: they drop their serializer."""
    return {ReturnList: list, ReturnDict: dict}.get(type(value), type(value))


def use(settings, redis_server, serializer, compressor):
    settings.CACHES = {
        "default": django_redis_cache(
            redis_server.url, serializer=serializer, compressor=compressor
        )
    }
    cache = caches["default"]
    cache.clear()
    return cache


# --8<-- [start:round_trip]
@pytest.mark.parametrize("compressor", sorted(COMPRESSORS))
@pytest.mark.parametrize("name", sorted(VALUES))
def test_the_recommended_serializer_round_trips_every_value(
    settings, redis_server, compressor, name
):
    cache = use(settings, redis_server, "pickle", compressor)

    cache.set("value", VALUES[name], 60)

    assert cache.get("value", "missing") == VALUES[name]
    assert type(cache.get("value", "missing")) is plain_type(VALUES[name])


# --8<-- [end:round_trip]


# --8<-- [start:json]
def test_json_turns_decimals_and_dates_into_strings(settings, redis_server):
    cache = use(settings, redis_server, "json", "zlib")

    cache.set(
        "book", {"price": Decimal("34.21"), "published": datetime.date(2005, 8, 6)}
    )

    assert cache.get("book") == {"price": "34.21", "published": "2005-08-06"}


# --8<-- [end:json]


def test_msgpack_refuses_decimals(settings, redis_server):
    cache = use(settings, redis_server, "msgpack", "none")
    with pytest.raises(TypeError):
        cache.set("price", Decimal("34.21"))


def test_an_unknown_serializer_is_refused_with_the_choices(redis_server):
    with pytest.raises(ValueError, match="serializer must be one of"):
        django_redis_cache(redis_server.url, serializer="yaml")


@pytest.mark.parametrize("serializer", sorted(SERIALIZERS))
def test_every_serializer_keeps_plain_json_data(settings, redis_server, serializer):
    cache = use(settings, redis_server, serializer, "zlib")
    page = {"count": 2, "results": [{"id": 1, "title": "A"}, {"id": 2, "title": "B"}]}
    cache.set("page", page)
    assert cache.get("page") == page
