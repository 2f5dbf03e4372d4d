"""Cache DRF response data under explicit keys, and delete exactly what a write made stale.

How the caching works:

* ``CachedResponseMixin`` caches the ``data`` of ``list`` and ``retrieve`` responses (the
  serializer's output, before rendering) for ``cache_timeout`` seconds. Only 200s are stored.
* ``build_cache_key`` puts into the key everything that changes that data: the namespace,
  a schema version, the URL's arguments, the canonical query string, the negotiated format,
  the user for per-user responses, and the scheme and host where links are absolute. The
  parts are JSON-encoded, then hashed: distinct requests never share a key by
  concatenation, and every key is short printable ASCII that any backend accepts
  (memcached's 250 bytes included), whatever the query string.
* A cached empty list, ``0`` or ``None`` is a hit: a miss is told apart by a sentinel.
* Every entry is recorded under tags (``book:7``, ``author:3``, ``books:list``) in Redis
  sets. A write invalidates tags once its transaction commits: the entries recorded under
  them are deleted, and only those. The ViewSet says which tags an entry carries
  (``cache_tags``) and which a write touches (its ``perform_*`` hooks).
* When Redis fails, requests are answered from the database and the failure is logged
  (fail open).

Requires django-redis (the tags are Redis sets).
"""

import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django.core.cache import caches
from django.db import transaction
from django_redis import get_redis_connection
from redis.exceptions import RedisError
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
    absolute_links: bool,
    schema_version: int = SCHEMA_VERSION,
) -> str:
    """Return a key that names everything the response's data depends on."""
    if not NAMESPACE.fullmatch(namespace):
        raise ValueError(
            f"Cache namespace {namespace!r} must be 1-64 of a-z, 0-9, '_', '.', ':', '-'"
        )
    user = request.user if per_user else None
    parts = {
        "schema": schema_version,
        "url": {name: str(value) for name, value in url_kwargs.items()},
        "query": sorted(request.query_params.lists()),  # (1)!
        "format": request.accepted_renderer.format,
        "user": user.pk if user is not None and user.is_authenticated else None,
        "origin": f"{request.scheme}://{request.get_host()}"
        if absolute_links
        else None,
    }
    encoded = json.dumps(parts, sort_keys=True, separators=(",", ":"))  # (2)!
    return f"{namespace}:{hashlib.sha256(encoded.encode()).hexdigest()}"


# --8<-- [end:key_builder]


# --8<-- [start:tagged_cache]
class TaggedCache:
    """A Django cache whose entries are recorded under tags, to delete them by tag."""

    def __init__(self, alias: str = "default", *, max_timeout: int = 86_400) -> None:
        self.alias = alias
        self.max_timeout = max_timeout  # how long a tag outlives its newest entry

    def get(self, key: str) -> Any:
        """Return the cached value, or ``MISSING``: a cached ``[]`` or ``None`` is a hit."""
        return caches[self.alias].get(key, MISSING)

    def set(self, key: str, value: Any, *, tags: Iterable[str], timeout: int) -> None:
        """Store ``value``, then record ``key`` under each tag."""
        if not 0 < timeout <= self.max_timeout:
            raise ValueError(
                f"timeout must be between 1 and {self.max_timeout} seconds"
            )
        caches[self.alias].set(key, value, timeout)
        try:
            with self._redis().pipeline(transaction=True) as pipe:
                for tag in tags:
                    pipe.sadd(self._tag_key(tag), key)
                    pipe.expire(self._tag_key(tag), self.max_timeout)
                pipe.execute()
        except RedisError:
            logger.warning("Could not tag %s; dropping it", key, exc_info=True)
            caches[self.alias].delete(
                key
            )  # an untagged entry could never be invalidated

    def invalidate(self, tags: Iterable[str]) -> None:
        """Delete every entry recorded under any of ``tags``, and the tags themselves."""
        try:
            with self._redis().pipeline(transaction=True) as pipe:
                for tag in tags:
                    pipe.smembers(self._tag_key(tag))  # (3)!
                    pipe.delete(self._tag_key(tag))
                replies = pipe.execute()
        except RedisError:
            logger.error("Could not invalidate %s", sorted(tags), exc_info=True)
            return
        keys = {key.decode() for members in replies[::2] for key in members}
        if keys:
            caches[self.alias].delete_many(keys)

    def invalidate_on_commit(self, tags: Iterable[str]) -> None:
        """Invalidate ``tags`` once the current transaction commits (at once outside one)."""
        transaction.on_commit(partial(self.invalidate, set(tags)))  # (4)!

    def _redis(self) -> Any:
        return get_redis_connection(self.alias)

    def _tag_key(self, tag: str) -> str:
        return caches[self.alias].make_key(f"tag:{tag}")


# --8<-- [end:tagged_cache]


# --8<-- [start:mixin]
class CachedResponseMixin:
    """Serve ``list`` and ``retrieve`` from a ``TaggedCache``; invalidate with ``invalidate``."""

    cache_namespace: str
    cache_timeout: int = 300
    cache_per_user: bool = True
    cache_store: TaggedCache = TaggedCache()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._cached("list", super().list, request, args, kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._cached("retrieve", super().retrieve, request, args, kwargs)

    def cache_tags(self, action: str, data: Any) -> set[str]:
        """Return the tags of an entry: override to name what its data contains."""
        return {f"{self.cache_namespace}:{action}"}

    def invalidate(self, tags: Iterable[str]) -> None:
        """Delete the entries under ``tags`` once the current transaction commits."""
        self.cache_store.invalidate_on_commit(tags)

    def _cached(
        self, action: str, view: Callable, request: Request, args: tuple, kwargs: dict
    ) -> Response:
        key = build_cache_key(
            f"{self.cache_namespace}.{action}",
            request,
            url_kwargs=kwargs,
            per_user=self.cache_per_user,
            absolute_links=action == "list",
        )
        data = self.cache_store.get(key)
        if data is not MISSING:
            return report_cache_outcome(Response(data), "hit")
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            tags = self.cache_tags(action, response.data)
            self.cache_store.set(
                key, response.data, tags=tags, timeout=self.cache_timeout
            )
        return report_cache_outcome(response, "miss")


# --8<-- [end:mixin]


def report_cache_outcome(response: Response, outcome: str) -> Response:
    """Set the ``cache`` metric of ``Server-Timing`` to ``outcome`` (hit, miss or bypass).

    Each recipe module carries its own copy of this helper, so that it can be copied alone.
    """
    response["Server-Timing"] = f'cache;desc="{outcome}"'
    return response
