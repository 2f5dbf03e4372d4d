# From the DRF caching cookbook 0.8.2 (its CHANGELOG.md says what changed since).
# Supports Django 5.2 LTS (5.2.19+) on Python 3.11+, and Django 6 on Python 3.12+.
"""Cache expensive serializer fields per row, a whole page at a time.

How the caching works:

* A ``RowFieldCache`` holds the values of some fields of some model's rows (an author's
  ``book_count`` and ``average_rating``), one entry per field and row: ``<name>:<field>:<pk>``.
* For a page of rows, every value is read in one ``get_many``. The misses are computed for
  the whole page with one aggregate query per field (``compute_many``), and written back in
  one ``set_many``: a cold page costs one query per field, a warm page none, and each costs
  two cache round trips at most, however many rows it shows.
* ``None`` (an author with no reviews) is a value like any other: ``get_many`` returns the
  keys it found, so a cached ``None`` is a hit.
* ``invalidate(field, pks)`` deletes what a write changed; the caller decides when (the
  bookshop does it from model signals, after commit).
* A read that loaded its values before a write committed must not store them after that
  write's invalidation. Each invalidation counts (one counter per cache) and marks the
  values it deleted with the count; a read notes the count in the same ``get_many``, and
  its store skips every value marked since. Check and store are one Lua script, so
  django-redis is required.
* Responses report ``cache;desc="hit"`` in ``Server-Timing`` when every value came from the
  cache, ``"miss"`` when some were computed.
* ``CachedFieldsViewMixin`` loads the values for the rows a ViewSet is about to serialize and
  passes them in the serializer context, where ``cached_field_value`` reads them. Outside such
  a view the serializer falls back to computing the value for its row.
"""

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.cache import caches
from django_redis import get_redis_connection
from redis.exceptions import RedisError, ResponseError

logger = logging.getLogger(__name__)

ComputeMany = Callable[[list[Any]], dict[Any, Any]]


# --8<-- [start:row_cache]
class RowFieldCache:
    """Per-row values of expensive fields, read and written a page at a time.

    Every key carries the hash tag ``{name}``, so that one script may touch a page's keys
    together on Redis Cluster.
    """

    def __init__(
        self,
        name: str,
        fields: dict[str, ComputeMany],
        *,
        timeout: int = 3600,
        alias: str = "default",
    ) -> None:
        self.name = name
        self.fields = fields  # field name -> function computing it for many rows
        self.timeout = timeout
        self.alias = alias

    def get_many(self, pks: Iterable[Any]) -> tuple[dict[str, dict[Any, Any]], int]:
        """Return ``{field: {pk: value}}`` for every field and row, and how many missed."""
        pks = list(dict.fromkeys(pks))
        keys = {(field, pk): self.key(field, pk) for field in self.fields for pk in pks}
        counter = self.key("invalidations")
        found = caches[self.alias].get_many([*keys.values(), counter])  # (1)!
        values: dict[str, dict[Any, Any]] = {field: {} for field in self.fields}
        fresh = {}
        for field, compute_many in self.fields.items():
            missing = [pk for pk in pks if keys[field, pk] not in found]
            computed = compute_many(missing) if missing else {}  # (2)!
            for pk in pks:
                key = keys[field, pk]
                values[field][pk] = found[key] if key in found else computed.get(pk)
                if key not in found:
                    fresh[key] = values[field][pk]
        if fresh:
            self._store_unless_invalidated(fresh, seen=found.get(counter))
        return values, len(fresh)

    def invalidate(self, field: str, pks: Iterable[Any]) -> None:
        """Forget ``field`` for the rows ``pks``, and refuse the stores of racing reads."""
        keys = [self.key(field, pk) for pk in pks]
        marked = [self.key("invalidations"), *keys, *(f"{key}:gone" for key in keys)]
        try:
            self._eval(INVALIDATE, marked, [fresh_count(), self.timeout])
        except ResponseError:  # full under noeviction: deletes alone are still allowed
            self._run(DELETE_VALUES, keys, [])
        except RedisError:
            logger.warning("Redis failed; %s values not forgotten", self.name)

    def key(self, field: str, pk: Any = "") -> str:
        return f"{{{self.name}}}:{field}:{pk}"

    def _store_unless_invalidated(
        self, fresh: dict[str, Any], seen: int | None
    ) -> None:
        """Store what a read computed, except values invalidated since it read (``seen``).

        A read that loaded its rows before a write committed must not store them after
        that write's invalidation: the check and the store are one script.
        """
        cache = caches[self.alias]
        keys = list(fresh)
        self._run(
            STORE_UNLESS_INVALIDATED,
            [*keys, *(f"{key}:gone" for key in keys)],
            [seen or 0, self.timeout * 1000]
            + [cache.client.encode(fresh[key]) for key in keys],
        )

    def _run(self, script: str, keys: list[str], args: list[Any]) -> None:
        try:
            self._eval(script, keys, args)
        except RedisError:  # fail open: the page was answered; nothing is cached
            logger.warning(
                "Redis failed; %s values not cached", self.name, exc_info=True
            )

    def _eval(self, script: str, keys: list[str], args: list[Any]) -> None:
        cache = caches[self.alias]
        stored = [cache.make_key(key) for key in keys]
        # django-redis's ShardClient keeps each key on one server, chosen by its hash
        # tag, which every key of one script shares; other clients write through one.
        client = cache.client
        if hasattr(client, "get_server"):
            redis = client.get_server(stored[0])
        else:
            redis = get_redis_connection(self.alias)
        redis.eval(script, len(stored), *stored, *args)


def fresh_count() -> int:
    """Where a lost invalidation counter restarts: microseconds since the epoch, above any
    count it reached before Redis evicted it."""
    return time.time_ns() // 1_000


# The manual-keys recipe's check-and-store, for per-row values instead of tagged entries;
# each recipe carries its own so that it can be copied alone.
# KEYS: the values, then each value's "invalidated at" count.
# ARGV: the count the read saw, the values' TTL in ms, then the encoded values.
STORE_UNLESS_INVALIDATED = """
local n = #KEYS / 2
for i = 1, n do
  local gone = redis.call('GET', KEYS[n + i])
  if not gone or tonumber(gone) <= tonumber(ARGV[1]) then
    redis.call('SET', KEYS[i], ARGV[2 + i], 'PX', ARGV[2])
  end
end
"""

# KEYS: the counter, the values, then each value's "invalidated at" count.
# ARGV: where a missing counter starts, the values' TTL in s.
INVALIDATE = """
local n = (#KEYS - 1) / 2
redis.call('SET', KEYS[1], ARGV[1], 'NX')
local count = redis.call('INCR', KEYS[1])
for i = 1, n do
  redis.call('DEL', KEYS[1 + i])
  redis.call('SET', KEYS[1 + n + i], count, 'EX', ARGV[2])
end
"""

# KEYS: the values. Deletes alone, which Redis allows when it is full (noeviction).
DELETE_VALUES = """
for i = 1, #KEYS do
  redis.call('DEL', KEYS[i])
end
"""


# --8<-- [end:row_cache]


# --8<-- [start:view_mixin]
class CachedFieldsViewMixin:
    """Load a page's cached field values before serializing it, in one round trip."""

    row_field_cache: RowFieldCache
    context_key = "cached_fields"

    def rows_with_cached_fields(self, instances: Sequence[Any]) -> list[Any]:
        """Return the primary keys of the rows whose fields the page shows: override."""
        return [instance.pk for instance in instances]

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        if args:  # serializing rows (a list for a page, one instance for a detail)
            instances = args[0] if kwargs.get("many") else [args[0]]
            pks = self.rows_with_cached_fields(list(instances))
            context = kwargs.setdefault("context", self.get_serializer_context())
            context[self.context_key], missed = self.row_field_cache.get_many(pks)
            self.cache_outcome = "miss" if missed else "hit"
        return super().get_serializer(*args, **kwargs)

    def finalize_response(
        self, request: Any, response: Any, *args: Any, **kwargs: Any
    ) -> Any:
        """Report in ``Server-Timing`` whether every field value came from the cache."""
        response = super().finalize_response(request, response, *args, **kwargs)
        if outcome := getattr(self, "cache_outcome", None):
            response["Server-Timing"] = f'cache;desc="{outcome}"'
        return response


# --8<-- [end:view_mixin]


def cached_field_value(
    context: dict, field: str, pk: Any, compute_one: Callable[[], Any]
) -> Any:
    """Return the value the view loaded for ``field`` of row ``pk``, or compute it."""
    loaded = context.get(CachedFieldsViewMixin.context_key, {}).get(field, {})
    return loaded[pk] if pk in loaded else compute_one()
