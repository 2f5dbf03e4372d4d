# From the DRF caching cookbook 0.8.2 (its CHANGELOG.md says what changed since).
# Supports Django 5.2 LTS (5.2.19+) on Python 3.11+, and Django 6 on Python 3.12+.
"""Cache DRF response data under explicit keys, and delete exactly what a write made stale.

How the caching works:

* ``CachedResponseMixin`` caches ``list`` and ``retrieve`` responses as rendered, for
  ``cache_timeout`` seconds: a hit replays the bytes, and the view, serializers and renderer
  do not run. Only 200s are stored, and never the browsable API's HTML, which holds the
  caller's CSRF token.
* ``build_cache_key`` puts into the key everything that changes that data: the namespace,
  a schema version, the user and how they authenticated (for per-user responses), the
  negotiated media type, the scheme and host (links name them), the path and the URL's
  arguments, every value of every query parameter in order, and the language that
  ``LocaleMiddleware`` chose. The
  parts are JSON-encoded, then hashed: distinct requests never share a key by
  concatenation, and every key is short printable ASCII that any backend accepts
  (memcached's 250 bytes included), whatever the query string.
* A cached empty list, ``0`` or ``None`` is a hit: a miss is told apart by a sentinel.
* Every entry is recorded under tags (``book:7``, ``author:3``, ``books:list``) in Redis
  sets. A write invalidates tags once its transaction commits: the entries recorded under
  them are deleted, and only those. The ViewSet says which tags an entry carries
  (``cache_tags``) and which a write touches (its ``perform_*`` hooks).
* An entry is served only while none of its tags was invalidated since it was stored. An
  evicting Redis (``allkeys-lru``) may drop a tag set and keep the entry, which no
  invalidation could then find and delete. So the store records, beside the entry, each
  tag's "invalidated at" marker (below) as it stood, and a read compares them with the
  markers now: any invalidation of any of its tags, or a marker evicted, makes it a miss.
  Reading the entry and comparing the markers is one Lua script.
* A read that misses may have loaded its rows before a write committed, and store them
  after that write's invalidation ran: a stale entry nothing would delete. So every
  invalidation also counts (one counter per store) and marks each tag with the count; a
  miss notes the count when it reads, and its store is refused if any of the entry's
  tags was marked since. Check and store are one Lua script.
* When Redis fails, requests are answered from the database and the failure is logged
  (fail open).

Requires django-redis (the tags are Redis sets).
"""

import hashlib
import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, partial
from typing import Any

from django.core.cache import caches
from django.db import transaction
from django.http import HttpResponse, HttpResponseBase
from django_redis import get_redis_connection
from redis.exceptions import NoScriptError, RedisError, ResponseError
from rest_framework.request import Request
from rest_framework.response import Response

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1  # bump when a serializer's output changes shape
NAMESPACE = re.compile(r"[a-z0-9_.:-]{1,64}")
MISSING = object()


# --8<-- [start:key_builder]
def build_cache_key(
    namespace: str,
    request: Request,
    *,
    url_kwargs: dict[str, Any],
    per_user: bool,
    schema_version: int = SCHEMA_VERSION,
) -> str:
    """Return a key that names everything the response's data depends on."""
    if not NAMESPACE.fullmatch(namespace):
        raise ValueError(
            f"Cache namespace {namespace!r} must be 1-64 of a-z, 0-9, '_', '.', ':', '-'"
        )
    user = request.user if per_user else None
    authenticated = user is not None and user.is_authenticated
    parts = {
        "schema": schema_version,
        "user": user.pk if authenticated else None,
        "authenticated_by": type(request.successful_authenticator).__name__
        if authenticated
        else None,
        "media_type": request.accepted_media_type,
        "origin": f"{request.scheme}://{request.get_host()}",
        "path": request.path,
        "url": {name: str(value) for name, value in url_kwargs.items()},
        "query": sorted(request.query_params.lists()),  # (1)!
        "language": getattr(request, "LANGUAGE_CODE", None),
    }
    encoded = json.dumps(parts, sort_keys=True, separators=(",", ":"))  # (2)!
    return f"{namespace}:{hashlib.sha256(encoded.encode()).hexdigest()}"


# --8<-- [end:key_builder]


# --8<-- [start:tagged_cache]
@dataclass(frozen=True)
class Lookup:
    """What a read found: the value (or ``MISSING``), and the invalidation count it saw."""

    value: Any
    seen: int | None


class TaggedCache:
    """A Django cache whose entries are recorded under tags, to delete them by tag.

    Every key the store touches carries the hash tag ``{name}``: the scripts below touch
    an entry, its tags and the counter together, which Redis Cluster allows only within
    one hash slot.
    """

    def __init__(
        self, alias: str = "default", *, name: str = "tagged", max_timeout: int = 86_400
    ) -> None:
        self.alias = alias
        self.name = name
        self.max_timeout = max_timeout  # how long a tag outlives its newest entry

    def get(self, key: str) -> Lookup:
        """Read an entry and the invalidation count in one round trip.

        A cached ``[]`` or ``None`` is a hit: a miss is ``MISSING``, and so is an entry
        one of whose tags was invalidated since it was stored.
        """
        cache = caches[self.alias]
        names = (self.entry_key(key), self._key("invalidations"), self.marks_key(key))
        keys = [cache.make_key(name) for name in names]
        try:
            value, seen = run_script(self._redis(keys[0]), READ_IF_CURRENT, keys, [])
        except RedisError:  # down, stuck or refusing: answer from the database
            logger.warning("Could not read %s; answering from the database", key)
            return Lookup(MISSING, None)
        found = MISSING if value is None else cache.client.decode(value)  # (1)!
        return Lookup(found, None if seen is None else int(seen))

    def set(
        self,
        key: str,
        value: Any,
        *,
        tags: Iterable[str],
        timeout: int,
        seen: int | None,
    ) -> bool:
        """Store ``value`` under ``tags``, unless one was invalidated since ``seen``.

        Returns whether it was stored. The check and the store are one Lua script, so no
        invalidation can fall between them.
        """
        if not 0 < timeout <= self.max_timeout:
            raise ValueError(
                f"timeout must be between 1 and {self.max_timeout} seconds"
            )
        tags = sorted(set(tags))
        if not tags:
            raise ValueError("an entry needs a tag: no invalidation could find it")
        cache = caches[self.alias]
        entry = cache.make_key(self.entry_key(key))
        marks = cache.make_key(self.marks_key(key))
        try:
            stored = run_script(
                self._redis(entry),
                STORE_UNLESS_INVALIDATED,
                [entry, marks, *self._tag_keys(tags)],
                [
                    cache.client.encode(value),
                    timeout * 1000,
                    seen if seen is not None else 0,  # (2)!
                    self.max_timeout,
                ],
            )
        except RedisError:
            logger.warning("Could not store %s; not cached", key, exc_info=True)
            return False
        return bool(stored)

    def invalidate(self, tags: Iterable[str]) -> None:
        """Delete every entry recorded under any of ``tags``, and refuse racing stores."""
        tags = sorted(set(tags))
        cache = caches[self.alias]
        keys = [cache.make_key(self._key("invalidations")), *self._tag_keys(tags)]
        try:
            run_script(
                self._redis(keys[0]),
                INVALIDATE,
                keys,
                [fresh_count(), self.max_timeout],
            )
        except ResponseError as refused:  # (3)!
            logger.warning("Invalidating %s by deletes alone: %s", tags, refused)
            self._delete_tagged(keys)
        except RedisError:
            logger.error("Could not invalidate %s", tags, exc_info=True)

    def _delete_tagged(self, keys: list[str]) -> None:
        try:
            run_script(self._redis(keys[0]), DELETE_TAGGED, keys, [])
        except RedisError:
            logger.error("Could not invalidate by deletes %s", keys, exc_info=True)

    def invalidate_on_commit(self, tags: Iterable[str]) -> None:
        """Invalidate ``tags`` once the current transaction commits (at once outside one)."""
        transaction.on_commit(partial(self.invalidate, set(tags)))  # (4)!

    def entry_key(self, key: str) -> str:
        return self._key(f"entry:{key}")

    def marks_key(self, key: str) -> str:
        """Where the store records, for one entry, each of its tags' markers as they
        stood: a read is a hit only while the markers are still those."""
        return self._key(f"marks-of:{key}")

    def _key(self, suffix: str) -> str:
        return f"{{{self.name}}}:{suffix}"

    def _tag_keys(self, tags: list[str]) -> list[str]:
        """Return each tag's set, then each tag's "invalidated at" marker, as stored."""
        make_key = caches[self.alias].make_key
        return [
            make_key(self._key(f"{kind}:{tag}"))
            for kind in ("tag", "gone")
            for tag in tags
        ]

    def _redis(self, key: str) -> Any:
        """The connection that holds ``key`` and, by the hash tag they share, every key
        of a script: django-redis's ``ShardClient`` keeps each tag on one server."""
        client = caches[self.alias].client
        if hasattr(client, "get_server"):
            return client.get_server(key)
        return get_redis_connection(self.alias)


def fresh_count() -> int:
    """Return where a lost invalidation counter restarts: microseconds since the epoch.

    Above any count it reached before Redis evicted it, so an old read cannot pass for new.
    """
    return time.time_ns() // 1_000


# KEYS: the entry, the invalidation counter, the entry's record of its tags' markers.
# Returns the encoded value (nil on a miss) and the count.
READ_IF_CURRENT = """
local value = redis.call('GET', KEYS[1])
local count = redis.call('GET', KEYS[2])
if not value then return {false, count} end
local recorded = redis.call('HGETALL', KEYS[3])
if #recorded == 0 then return {false, count} end
local markers, expected = {}, {}
for i = 1, #recorded, 2 do
  markers[#markers + 1] = recorded[i]
  expected[#expected + 1] = recorded[i + 1]
end
local now = redis.call('MGET', unpack(markers))
for i = 1, #markers do
  if (now[i] or '0') ~= expected[i] then return {false, count} end
end
return {value, count}
"""

# KEYS: the entry, its record of markers, then each tag's set, then each tag's
# "invalidated at" marker.
# ARGV: the encoded value, its TTL in ms, the count the read saw, the tags' TTL in s.
STORE_UNLESS_INVALIDATED = """
local tags = (#KEYS - 2) / 2
local marks = {}
for i = 1, tags do
  local gone = redis.call('GET', KEYS[2 + tags + i])
  if gone and tonumber(gone) > tonumber(ARGV[3]) then return 0 end
  marks[#marks + 1] = KEYS[2 + tags + i]
  marks[#marks + 1] = gone or '0'
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
for i = 1, tags do
  redis.call('SADD', KEYS[2 + i], KEYS[1])
  redis.call('EXPIRE', KEYS[2 + i], ARGV[4])
end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[2], unpack(marks))
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1
"""

# KEYS: the counter, then each tag's set, then each tag's "invalidated at" count.
# ARGV: where a missing counter starts, the tags' TTL in s.
INVALIDATE = """
local tags = (#KEYS - 1) / 2
redis.call('SET', KEYS[1], ARGV[1], 'NX')
local count = redis.call('INCR', KEYS[1])
for i = 1, tags do
  for _, entry in ipairs(redis.call('SMEMBERS', KEYS[1 + i])) do
    redis.call('DEL', entry)
  end
  redis.call('DEL', KEYS[1 + i])
  redis.call('SET', KEYS[1 + tags + i], count, 'EX', ARGV[2])
end
return count
"""

# KEYS: as INVALIDATE's. Only deletes, which Redis allows when it is full (noeviction).
DELETE_TAGGED = """
local tags = (#KEYS - 1) / 2
for i = 1, tags do
  for _, entry in ipairs(redis.call('SMEMBERS', KEYS[1 + i])) do
    redis.call('DEL', entry)
  end
  redis.call('DEL', KEYS[1 + i])
end
return tags
"""


def run_script(client: Any, script: str, keys: list, args: list) -> Any:
    """Run ``script`` by its SHA1: its text crosses the network once per server (when
    Redis answers ``NOSCRIPT``), not with every call. Not redis-py's ``Script``: on a
    cluster, it loads a missing script into every primary, and one down fails it."""
    try:
        return client.evalsha(script_sha(script), len(keys), *keys, *args)
    except NoScriptError:
        return client.eval(script, len(keys), *keys, *args)


@cache
def script_sha(script: str) -> str:
    return hashlib.sha1(script.encode()).hexdigest()


# --8<-- [end:tagged_cache]


# --8<-- [start:mixin]
class CachedResponseMixin:
    """Serve ``list`` and ``retrieve`` from a ``TaggedCache``; invalidate with ``invalidate``."""

    cache_namespace: str
    cache_timeout: int = 300
    cache_per_user: bool = True
    cache_store: TaggedCache = TaggedCache()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return self._cached("list", super().list, request, args, kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return self._cached("retrieve", super().retrieve, request, args, kwargs)

    def cache_tags(self, action: str, data: Any) -> set[str]:
        """Return the tags of an entry: override to name what its data contains
        (``rows_in(data)`` gives its rows, paginated or not)."""
        return {f"{self.cache_namespace}:{action}"}

    def invalidate(self, tags: Iterable[str]) -> None:
        """Delete the entries under ``tags`` once the current transaction commits."""
        self.cache_store.invalidate_on_commit(tags)

    def _cached(
        self, action: str, view: Callable, request: Request, args: tuple, kwargs: dict
    ) -> HttpResponseBase:
        key = build_cache_key(
            f"{self.cache_namespace}.{action}",
            request,
            url_kwargs=kwargs,
            per_user=self.cache_per_user,
        )
        found = self.cache_store.get(key)
        if isinstance(found.value, RenderedResponse):
            return report_cache_outcome(found.value.replay(), "hit")
        response = view(request, *args, **kwargs)  # (1)!
        rendered = render_now(self, response)
        if rendered is not None:
            self.cache_store.set(
                key,
                rendered,
                tags=self.cache_tags(action, response.data),
                timeout=self.cache_timeout,
                seen=found.seen,
            )
        return report_cache_outcome(response, "miss")


def rows_in(data: Any) -> list[dict]:
    """Return the rows of a response's data: a page's ``results`` (any DRF paginator
    that names them so), a plain list, or a single object as a list of one."""
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        return data["results"]
    return data if isinstance(data, list) else [data]


@dataclass(frozen=True)
class RenderedResponse:
    """A response as it was sent: its media type and its bytes."""

    content_type: str
    content: bytes

    def replay(self) -> HttpResponse:
        return HttpResponse(self.content, content_type=self.content_type)


def render_now(view: Any, response: Response) -> RenderedResponse | None:
    """Render ``response`` as DRF would once the view returns; return what to store,
    or ``None`` for anything but a 200, and for a page that holds a CSRF token."""
    request = view.request
    response.accepted_renderer = request.accepted_renderer
    response.accepted_media_type = request.accepted_media_type
    response.renderer_context = view.get_renderer_context()
    response.render()
    if response.status_code != 200 or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return None
    return RenderedResponse(response["Content-Type"], response.content)


# --8<-- [end:mixin]


def report_cache_outcome(response: HttpResponseBase, outcome: str) -> HttpResponseBase:
    """Set the ``cache`` metric of ``Server-Timing`` to ``outcome`` (hit, miss or bypass).

    Each recipe module carries its own copy of this helper, so that it can be copied alone.
    """
    response["Server-Timing"] = f'cache;desc="{outcome}"'
    return response
