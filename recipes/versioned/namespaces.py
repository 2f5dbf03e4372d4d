# From the DRF caching cookbook 0.8.2 (its CHANGELOG.md says what changed since).
# Supports Django 5.2 LTS (5.2.19+) on Python 3.11+, and Django 6 on Python 3.12+.
"""Cache rendered DRF responses with namespace versions: a write bumps a number, and no
entry of the old number is ever served again.

How the caching works:

* A namespace (``books``, ``favorites:7``) is a version number kept in the cache. An entry
  holds the rendered response and the versions of every namespace it depends on, as they
  were read before it was computed. A hit is one ``get_many``: the versions and the entry
  together. An entry is served only when the versions it holds are the current ones.
* A write bumps the versions of the namespaces it changed, with ``incr``: atomic in Redis,
  memcached and locmem, so concurrent bumps are never lost. Entries of the old versions are
  never served again; the next miss overwrites them. Nothing is deleted.
* A namespace with no version (new, or evicted under memory pressure) starts at the current
  time in microseconds, which is above any version it had before: an eviction can never
  bring an old generation back. ``add`` makes concurrent starts agree on one value.
* Versions are stored without expiry, so a ``volatile-*`` eviction policy never removes them.
* Because versions are read before the data, a read that overlaps a write stores what it
  read with the old versions, which no later read accepts.
* What is stored is the response as rendered: a hit replays its bytes, and the view,
  serializers and renderer do not run. The browsable API's HTML, which holds the caller's
  CSRF token, is never stored.
* The reads of one ``get_many`` need not be atomic (a client may split them across Redis
  Cluster nodes): whichever order they happen in, an entry is served only with the versions
  it was computed under.
* When the cache is down, requests are answered from the database (fail open).
"""

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.core.cache import caches
from django.db import transaction
from django.http import HttpResponse, HttpResponseBase
from rest_framework.request import Request
from rest_framework.response import Response

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1  # bump when a serializer's output changes shape


# --8<-- [start:namespaces]
class Namespaces:
    """Version numbers for groups of cache entries, bumped to invalidate a whole group."""

    def __init__(self, alias: str = "default", *, prefix: str = "ns") -> None:
        self.alias = alias
        self.prefix = prefix

    def versions(self, names: Iterable[str]) -> dict[str, int] | None:
        """Return each namespace's current version, or ``None`` if the cache cannot say."""
        return self.read(names)[0]

    def read(
        self, names: Iterable[str], entry_key: str | None = None
    ) -> tuple[dict[str, int] | None, Any]:
        """Return the namespaces' versions and the value under ``entry_key``, in one
        ``get_many``; the versions are ``None`` if the cache cannot say."""
        keys = {name: f"{self.prefix}:{name}" for name in names}
        cache = caches[self.alias]
        # A copy: django-redis answers a failed get_many with one shared dict.
        found = dict(cache.get_many([*keys.values(), *filter(None, [entry_key])]))
        entry = found.pop(entry_key, None)
        missing = [key for key in keys.values() if key not in found]
        for key in missing:
            cache.add(key, fresh_version(), timeout=None)  # (1)!
        if missing:
            found |= cache.get_many(missing)
        if len(found) < len(keys):
            return None, None  # the cache is down: do not cache this response
        return {name: found[key] for name, key in keys.items()}, entry

    def bump(self, names: Iterable[str]) -> None:
        """Move each namespace to a new version: its old entries are never read again."""
        cache = caches[self.alias]
        refused = []
        for name in names:
            key = f"{self.prefix}:{name}"
            if advance(cache, key) is None:
                cache.delete(key)  # (2)!
                refused.append(name)
        if refused:
            logger.warning(
                "Could not bump %s: deleted instead; if the cache is unreachable, "
                "their entries may be served until they expire",
                sorted(refused),
            )

    def bump_on_commit(self, names: Iterable[str]) -> None:
        """Bump once the current transaction commits (at once outside a transaction)."""
        transaction.on_commit(partial(self.bump, set(names)))


def advance(cache: Any, key: str) -> int | None:
    """Increment the version under ``key``, starting it afresh if it has none; return
    ``None`` if the cache refused (a cache that fails open answers ``None``)."""
    try:
        return cache.incr(key)  # (3)!
    except ValueError:  # no version yet, or evicted: any fresh start is newer
        started = fresh_version()
        if cache.add(key, started, timeout=None):
            return started
        try:
            return cache.incr(key)  # a reader started it meanwhile: move past it
        except ValueError:
            return None  # still none: the cache keeps nothing now


def fresh_version() -> int:
    """Return the first version of a namespace: microseconds since the epoch.

    Later than any version the namespace had before an eviction, as long as it was bumped
    less than once a microsecond; and below 2**53, which Redis's Lua ``incr`` needs.
    """
    return time.time_ns() // 1_000


# --8<-- [end:namespaces]


# --8<-- [start:mixin]
@dataclass(frozen=True)
class CachedResponse:
    """A rendered response, and the namespace versions it was computed under."""

    versions: dict[str, int]
    content_type: str
    content: bytes


class VersionedResponseMixin:
    """Serve ``list`` and ``retrieve`` from entries of the current namespace versions."""

    cache_name: str
    cache_timeout: int = 300
    cache_per_user: bool = True
    cache_namespaces_store: Namespaces = Namespaces()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return self._cached("list", super().list, request, args, kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return self._cached("retrieve", super().retrieve, request, args, kwargs)

    def cache_namespaces(self, request: Request, action: str) -> set[str]:
        """Return the namespaces this response depends on: override per ViewSet."""
        raise NotImplementedError("name the namespaces a response depends on")

    # --8<-- [start:core]
    def _cached(
        self, action: str, view: Callable, request: Request, args: tuple, kwargs: dict
    ) -> HttpResponseBase:
        key = response_key(
            f"{self.cache_name}.{action}", request, kwargs, per_user=self.cache_per_user
        )
        versions, entry = self.cache_namespaces_store.read(
            self.cache_namespaces(request, action), key
        )
        if versions is None:
            return report_cache_outcome(view(request, *args, **kwargs), "bypass")
        compute = partial(view, request, *args, **kwargs)
        return self.respond_from_cache(key, versions, entry, compute)

    def respond_from_cache(
        self, key: str, versions: dict, entry: Any, compute: Callable[[], Response]
    ) -> HttpResponseBase:
        """Replay ``entry`` if it holds the current ``versions``; else compute and store.

        The hook a stampede guard overrides (``recipes/stampede``).
        """
        if self.is_current(entry, versions):
            return report_cache_outcome(self.replay(entry), "hit")
        response = compute()
        stored = self.entry_for(response, versions)
        if stored is not None:
            caches[self.cache_namespaces_store.alias].set(
                key, stored, self.cache_timeout
            )
        return report_cache_outcome(response, "miss")

    # --8<-- [end:core]

    def is_current(self, entry: Any, versions: dict[str, int]) -> bool:
        return isinstance(entry, CachedResponse) and entry.versions == versions  # (1)!

    def entry_for(
        self, response: Response, versions: dict[str, int]
    ) -> CachedResponse | None:
        """Render ``response`` now, and return what to store, or ``None`` if nothing."""
        request = self.request
        response.accepted_renderer = request.accepted_renderer  # what DRF would do
        response.accepted_media_type = request.accepted_media_type  # after the view
        response.renderer_context = self.get_renderer_context()
        response.render()
        if response.status_code != 200 or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            return None  # (2)!
        return CachedResponse(versions, response["Content-Type"], response.content)

    def replay(self, entry: CachedResponse) -> HttpResponse:
        return HttpResponse(entry.content, content_type=entry.content_type)


# --8<-- [end:mixin]


# --8<-- [start:key]
def response_key(
    name: str, request: Request, url_kwargs: dict[str, Any], *, per_user: bool
) -> str:
    """Return a key naming everything a response depends on, besides its data.

    The same parts as the manual-keys recipe's key builder; each recipe module carries its
    own copy so that it can be copied alone.
    """
    parts = {
        "schema": SCHEMA_VERSION,
        "path": request.path,
        "url": {name: str(value) for name, value in url_kwargs.items()},
        **request_parts(request, request.user if per_user else None),
    }
    encoded = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return f"{name}:{hashlib.sha256(encoded.encode()).hexdigest()}"


def request_parts(request: Request, user: Any) -> dict[str, Any]:
    """Return what a response depends on besides its data and its URL.

    The caller and how they authenticated (``user`` is ``None`` for shared responses), the
    negotiated media type, the scheme and host that links name, every value of every query
    parameter in order, and the language ``LocaleMiddleware`` chose. One definition for this
    module's keys and ``conditional.py``'s ETags.
    """
    authenticated = user is not None and user.is_authenticated
    return {
        "user": user.pk if authenticated else None,
        "authenticated_by": type(request.successful_authenticator).__name__
        if authenticated
        else None,
        "media_type": request.accepted_media_type,
        "origin": f"{request.scheme}://{request.get_host()}",
        "query": sorted(request.query_params.lists()),
        "language": getattr(request, "LANGUAGE_CODE", None),
    }


# --8<-- [end:key]


def report_cache_outcome(response: HttpResponseBase, outcome: str) -> HttpResponseBase:
    """Set the ``cache`` metric of ``Server-Timing`` to ``outcome`` (hit, miss or bypass).

    Each recipe module carries its own copy of this helper, so that it can be copied alone.
    """
    response["Server-Timing"] = f'cache;desc="{outcome}"'
    return response
