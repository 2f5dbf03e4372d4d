# From the DRF caching cookbook 0.8.2 (its CHANGELOG.md says what changed since).
# Supports Django 5.2 LTS (5.2.19+) on Python 3.11+, and Django 6 on Python 3.12+.
"""What the cache holds in Redis, and whether Redis may drop it when it is full.

What it gives a project:

* ``memory_figures(alias)``: the memory Redis uses and may use, its eviction policy, the
  keys it has evicted and the writes it has refused for lack of memory (``INFO``,
  ``CONFIG GET``): the figures to watch.
* ``sizes_by_group(alias)``: every key's ``MEMORY USAGE``, added up by key group (the part
  after Django's prefix and version: ``ns`` in ``:1:ns:books``): how many keys of each
  kind the cache holds and what they cost, to size Redis from real traffic.
* ``check_eviction_policy``: a deploy check (``manage.py check --deploy``, registered in
  your ``AppConfig.ready``) that warns when a Redis cache has no memory limit, or a policy
  that refuses writes when full.

Why ``allkeys-lru`` (or ``allkeys-lfu``) is the policy to run the cookbook's recipes under:
every one of them stays correct when Redis evicts any of its keys (a namespace version
starts afresh above the old one, a lost tag set or marker costs misses), so Redis may as
well make room for new entries by evicting the least used of all. Under ``noeviction`` a
full Redis refuses every write, bumps and tombstones included, and the recipes fall back to
deletes (which Redis still allows): correct, but nothing is cached until memory frees up.
Under ``volatile-*`` only keys with a timeout are evicted; keys kept without one (namespace
versions) can fill Redis, and then it refuses writes as ``noeviction`` does.
"""

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import redis
from django.core.cache import caches
from django.core.checks import Warning

RECOMMENDED = ("allkeys-lru", "allkeys-lfu")
DJANGO_KEY = re.compile(rb"^[^:]*:\d+:(?P<group>[^:]{1,40}):")


# --8<-- [start:figures]
def memory_figures(alias: str = "default") -> dict[str, Any]:
    """Return what Redis says of its memory: used, limit, policy, evictions, refusals."""
    client = redis_client(alias)
    info = client.info()
    errors = client.info("errorstats")
    return {
        "used_memory": info["used_memory"],
        "maxmemory": info["maxmemory"],
        "maxmemory_policy": info["maxmemory_policy"],
        "evicted_keys": info["evicted_keys"],
        "refused_for_memory": errors.get("errorstat_OOM", {}).get("count", 0),  # (1)!
    }


# --8<-- [end:figures]


# --8<-- [start:sizes]
@dataclass(frozen=True)
class GroupSize:
    """The keys of one group: how many, their bytes in all, and the largest."""

    group: str
    keys: int
    bytes: int
    largest: int


def sizes_by_group(alias: str = "default", *, batch: int = 500) -> list[GroupSize]:
    """Return every key's ``MEMORY USAGE``, added up by key group, largest first."""
    client = redis_client(alias)
    sizes: dict[str, list[int]] = defaultdict(list)
    keys = list(client.scan_iter(count=batch))  # (1)!
    for start in range(0, len(keys), batch):
        chunk = keys[start : start + batch]
        pipe = client.pipeline(transaction=False)
        for key in chunk:
            pipe.memory_usage(key, samples=0)
        for key, used in zip(chunk, pipe.execute(), strict=True):
            sizes[group_of(key)].append(used or 0)  # a key gone meanwhile: 0
    groups = [GroupSize(g, len(b), sum(b), max(b)) for g, b in sizes.items()]
    return sorted(groups, key=lambda group: -group.bytes)


def group_of(key: bytes) -> str:
    found = DJANGO_KEY.match(key)
    return found["group"].decode(errors="replace") if found else "other"


# --8<-- [end:sizes]


# --8<-- [start:check]
def check_eviction_policy(**kwargs: Any) -> list[Warning]:
    """Warn about each Redis cache that has no memory limit or refuses writes when full."""
    warnings = []
    for alias in caches:
        client = redis_client(alias)
        if client is None:
            continue
        try:
            limit = int(client.config_get("maxmemory")["maxmemory"])
            policy = client.config_get("maxmemory-policy")["maxmemory-policy"]
        except redis.RedisError as error:  # down, or CONFIG renamed (managed Redis)
            warnings.append(
                Warning(
                    f"cannot read the memory settings of cache {alias!r}: {error}",
                    hint="check maxmemory and maxmemory-policy by hand",
                    id="memory.W003",
                )
            )
            continue
        if limit == 0:
            warnings.append(
                Warning(
                    f"the Redis of cache {alias!r} has no memory limit",
                    hint="set maxmemory, below what the machine has: without it, Redis "
                    "grows until the operating system stops it",
                    id="memory.W001",
                )
            )
        if policy not in RECOMMENDED:
            warnings.append(
                Warning(
                    f"the Redis of cache {alias!r} runs under {policy}",
                    hint="set maxmemory-policy allkeys-lru: the recipes stay correct "
                    "whatever Redis evicts, and a full Redis under noeviction (or "
                    "volatile-*, full of keys without a timeout) stores nothing",
                    id="memory.W002",
                )
            )
    return warnings


# --8<-- [end:check]


def redis_client(alias: str) -> redis.Redis | None:
    """Return the redis-py client behind the cache ``alias``, if it is a Redis cache.

    The monitoring recipe has the same function: each copy unit stands alone."""
    cache = caches[alias]
    if hasattr(cache, "client") and hasattr(cache.client, "get_client"):
        return cache.client.get_client(write=True)  # django-redis
    if hasattr(cache, "_cache") and hasattr(cache._cache, "get_client"):
        return cache._cache.get_client(write=True)  # Django's own RedisCache
    return None
