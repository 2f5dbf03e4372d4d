"""The figures, the sizes by key group, and the deploy check, on a real redis-server."""

import pytest
import redis

from recipes.bookshop import sandbox
from recipes.memory.redis_memory import (
    check_eviction_policy,
    group_of,
    memory_figures,
    sizes_by_group,
)

from .conftest import tighten

pytestmark = pytest.mark.real_redis


def test_the_figures_count_evictions_and_refusals(squeezed):
    evicting = squeezed("allkeys-lru")
    for number in range(100):
        evicting.set(f"filler:{number}", b"x" * 1024)
    tighten(evicting)
    for number in range(100, 120):
        evicting.set(f"filler:{number}", b"x" * 1024)
    assert memory_figures()["evicted_keys"] > 0

    refusing = squeezed("noeviction")
    for number in range(100):
        refusing.set(f"filler:{number}", b"x" * 1024)
    tighten(refusing)
    with pytest.raises(redis.ResponseError, match="maxmemory"):
        refusing.set("one more", b"x")
    figures = memory_figures()
    assert figures["maxmemory_policy"] == "noeviction"
    assert figures["refused_for_memory"] >= 1
    assert figures["used_memory"] > figures["maxmemory"]


# --8<-- [start:sizes_use]
def test_sizes_add_up_memory_usage_by_key_group(squeezed):
    redis = squeezed("allkeys-lru")
    sandbox.client("alice-token").get("/api/versioning/books/")

    sizes = {group.group: group for group in sizes_by_group()}

    entries = [key for key in redis.scan_iter() if group_of(key) == "books.list"]
    assert sizes["books.list"].keys == len(entries) == 1
    assert sizes["books.list"].bytes == redis.memory_usage(entries[0], samples=0)
    assert sizes["ns"].keys == 3  # books, authors, alice's favourites
    assert sizes["auth"].keys == 1  # alice's token


# --8<-- [end:sizes_use]


@pytest.mark.parametrize(
    ("limit", "policy", "warnings"),
    [
        (0, "noeviction", ["memory.W001", "memory.W002"]),
        (50_000_000, "volatile-lru", ["memory.W002"]),
        (50_000_000, "allkeys-lru", []),
        (50_000_000, "allkeys-lfu", []),
    ],
)
def test_the_deploy_check_warns_of_no_limit_and_of_policies_that_refuse(
    squeezed, limit, policy, warnings
):
    redis = squeezed(policy)
    redis.config_set("maxmemory", limit)

    assert [warning.id for warning in check_eviction_policy()] == warnings


def test_the_deploy_check_says_when_it_cannot_read_the_settings(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }

    assert [warning.id for warning in check_eviction_policy()] == ["memory.W003"]
