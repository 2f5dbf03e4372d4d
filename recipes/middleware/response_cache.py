# From the DRF caching cookbook 0.4.0 (its CHANGELOG.md says what changed since).
# Supports Django 5.2 LTS (5.2.19+) on Python 3.11+, and Django 6 on Python 3.12+.
"""A response cache for DRF views that keys on what DRF resolved, configured from settings.

How the caching works:

* It runs inside DRF's request cycle, not as a Django middleware: the lookup happens in
  ``initial()``, after DRF has authenticated the caller (token or session), checked
  permissions and throttles, and negotiated the format. A revoked token gets its 401, a
  throttled caller its 429; neither gets a cached page.
* The key names the caller as DRF resolved them (user and authentication scheme, or
  anonymous), the negotiated media type, the scheme and host, the path, the query
  parameters in a canonical order, and the value of each request header listed in
  ``VARY_ON``. The response is not stored when its ``Vary`` names any other header.
* One cache entry holds the status, the headers that belong to the response, and the
  rendered bytes: a hit is one ``get``, and the view, serializers and renderer do not run.
* Only GET and HEAD are cached; HEAD is answered from the GET entry, without a body.
* Only a 200 is stored, and only when a shared cache could store it (RFC 9111): not with
  ``no-store`` in the request or the response, not with ``private`` or ``no-cache``, not with
  ``Vary: *``. Stricter than the RFC, nothing that sets a cookie is stored, nor a page that
  holds the caller's CSRF token (the browsable API's HTML).
* ``settings.RESPONSE_CACHE`` says which paths are cached and for how long: ``TIMEOUTS``
  maps path prefixes to seconds (the longest matching prefix wins), ``BYPASS`` lists
  prefixes never cached, ``ALIAS`` and ``KEY_PREFIX`` name the cache and its keys.
* Nothing invalidates an entry: after a write, readers see the old response until the
  timeout ends. When the cache is down the backend's errors decide: with django-redis'
  ``IGNORE_EXCEPTIONS`` every request is a miss, answered from the database.
* Each response reports the outcome in ``Server-Timing``: ``cache;desc="hit"``, ``"miss"``
  or ``"bypass"``.
"""

import hashlib
import json
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Self

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse, HttpResponseBase
from django.utils.cache import get_max_age
from rest_framework.request import Request

logger = logging.getLogger(__name__)
# The commas between a header's values (``Vary``, ``Cache-Control``): Django's own pattern
# was private, and Django 6.1 removed it.
HEADER_LIST = re.compile(r"\s*,\s*")

SCHEMA_VERSION = 1  # bump when what the views render changes shape
# Request headers the key already covers: the negotiated format, and the caller.
KEYED_REQUEST_HEADERS = {"accept", "authorization", "cookie"}
# Per-exchange headers: each response gets its own, never a stored one.
UNSTORED_HEADERS = {
    "connection",
    "content-length",
    "date",
    "keep-alive",
    "server-timing",
    "set-cookie",
    "transfer-encoding",
}
UNCACHEABLE_DIRECTIVES = {"no-store", "private", "no-cache"}


# --8<-- [start:settings]
@dataclass(frozen=True)
class ResponseCacheSettings:
    """``settings.RESPONSE_CACHE``, checked: which paths are cached, where and how long."""

    alias: str = "default"
    key_prefix: str = "response"
    timeouts: Mapping[str, int] = field(default_factory=dict)
    bypass: Sequence[str] = ()
    vary_on: Sequence[str] = ()

    @classmethod
    def from_django_settings(cls) -> Self:
        options = getattr(settings, "RESPONSE_CACHE", {})
        known = {name.upper() for name in cls.__dataclass_fields__}
        if unknown := set(options) - known:
            raise ImproperlyConfigured(
                f"RESPONSE_CACHE has unknown keys {sorted(unknown)}; "
                f"use {sorted(known)}"
            )
        return cls(**{name.lower(): value for name, value in options.items()})

    def timeout_for(self, path: str) -> int | None:
        """Return how long to keep ``path``'s responses, or ``None`` to bypass the cache."""
        if any(path.startswith(prefix) for prefix in self.bypass):
            return None
        matching = [prefix for prefix in self.timeouts if path.startswith(prefix)]
        if not matching:
            return None
        return self.timeouts[max(matching, key=len)]


# --8<-- [end:settings]


@dataclass(frozen=True)
class Plan:
    """Where this request's response lives in the cache, and for how long."""

    key: str
    timeout: int
    alias: str
    vary_on: Sequence[str]


# --8<-- [start:mixin]
class ResponseCacheMixin:
    """Cache rendered GET responses of a DRF view, after DRF has authenticated the caller."""

    response_cache_plan: Plan | None = None  # none until initial() has looked
    response_cache_hit: HttpResponse | None = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # (1)!
        self.response_cache_plan = plan_for(request)
        if self.response_cache_plan is None:
            return
        entry = self.read_entry(self.response_cache_plan)
        if entry is not None:
            self.response_cache_hit = from_entry(entry, head=request.method == "HEAD")
            setattr(self, request.method.lower(), self.serve_cached_response)  # (2)!

    def serve_cached_response(self, *args: Any, **kwargs: Any) -> HttpResponse:
        """Stand in for the handler on a hit: the view, serializer and renderer never run."""
        return self.response_cache_hit

    def finalize_response(
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)
        plan = self.response_cache_plan
        if plan is None:
            return report_cache_outcome(response, "bypass")
        if self.response_cache_hit is not None:
            return report_cache_outcome(response, "hit")
        after_render(  # (3)!
            response,
            lambda rendered: self.write_entry(plan, entry_for(request, rendered, plan)),
        )
        return report_cache_outcome(response, "miss")

    def read_entry(self, plan: Plan) -> dict[str, Any] | None:
        """Return the entry stored under ``plan.key``, or ``None`` on a miss."""
        return caches[plan.alias].get(plan.key)

    def write_entry(self, plan: Plan, entry: dict[str, Any] | None) -> None:
        """Store ``entry``; ``None`` means the response must not be stored."""
        if entry is not None:
            caches[plan.alias].set(plan.key, entry, plan.timeout)


# --8<-- [end:mixin]


# --8<-- [start:key]
def plan_for(request: Request) -> Plan | None:
    """Return where the response to ``request`` is cached, or ``None`` if it is not."""
    if request.method not in ("GET", "HEAD"):
        return None
    config = ResponseCacheSettings.from_django_settings()
    timeout = config.timeout_for(request.path)
    if timeout is None or "no-store" in directives(
        request.headers.get("Cache-Control")
    ):
        return None
    key = f"{config.key_prefix}:{response_key(request, config.vary_on)}"
    return Plan(key, timeout, config.alias, config.vary_on)


def response_key(request: Request, vary_on: Sequence[str]) -> str:
    """Hash everything a response depends on: caller, format, origin, path, query."""
    user = request.user
    authenticated = user is not None and user.is_authenticated
    parts = {
        "schema": SCHEMA_VERSION,
        "user": user.pk if authenticated else None,
        "authenticated_by": type(request.successful_authenticator).__name__,  # (1)!
        "media_type": request.accepted_media_type,
        "origin": f"{request.scheme}://{request.get_host()}",
        "path": request.path,
        "query": sorted(request.query_params.lists()),
        "language": getattr(request, "LANGUAGE_CODE", None),
        "headers": {name.lower(): request.headers.get(name) for name in vary_on},
    }
    encoded = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


# --8<-- [end:key]


# --8<-- [start:store]
def entry_for(
    request: Request, response: HttpResponseBase, plan: Plan
) -> dict[str, Any] | None:
    """Return the entry to store for ``response``, or ``None`` (and why, in the log) if a
    shared cache must not store it."""
    reason = unstorable_because(request, response, plan.vary_on)
    if reason:
        logger.debug("not cached: %s: %s", request.get_full_path(), reason)
        return None
    return {
        "status": response.status_code,
        "headers": [
            (name, value)
            for name, value in response.items()
            if name.lower() not in UNSTORED_HEADERS
        ],
        "content": response.content,
    }


def unstorable_because(
    request: Request, response: HttpResponseBase, vary_on: Sequence[str]
) -> str | None:
    """Return why ``response`` must not be stored, or ``None`` if it may be."""
    covered = KEYED_REQUEST_HEADERS | {name.lower() for name in vary_on}
    vary = {
        name.lower() for name in HEADER_LIST.split(response.get("Vary", "")) if name
    }
    checks = [
        (response.status_code != 200, "only a 200 is stored"),
        (response.streaming, "a streaming body is not buffered"),
        (
            bool(directives(response.get("Cache-Control")) & UNCACHEABLE_DIRECTIVES),
            "Cache-Control forbids a shared cache to store it",
        ),
        (get_max_age(response) == 0, "max-age=0: stale at once"),
        (bool(response.cookies), "it sets a cookie"),
        (
            request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False),
            "it holds the caller's CSRF token",
        ),
        (
            getattr(getattr(request, "session", None), "modified", False),
            "it changed the session",
        ),
        ("*" in vary, "Vary: * matches no later request"),
        (bool(vary - covered), f"it varies on headers the key lacks: {vary - covered}"),
    ]
    return next((reason for failed, reason in checks if failed), None)


# --8<-- [end:store]


def from_entry(entry: dict[str, Any], *, head: bool) -> HttpResponse:
    """Rebuild a response from a cache entry; for HEAD, the headers and no body."""
    content = entry["content"]
    response = HttpResponse(b"" if head else content, status=entry["status"])
    for name, value in entry["headers"]:
        response[name] = value
    response["Content-Length"] = str(len(content))
    return response


def directives(cache_control: str | None) -> set[str]:
    """Return the directive names of a ``Cache-Control`` value, lower-cased."""
    return {
        part.split("=", 1)[0].strip().lower()
        for part in HEADER_LIST.split(cache_control or "")
        if part.strip()
    }


def after_render(response: HttpResponseBase, callback: Callable) -> None:
    """Run ``callback`` once ``response`` is rendered (at once if it already is).

    Each recipe module carries its own copy of this helper, so that it can be copied alone.
    """
    if hasattr(response, "add_post_render_callback"):
        response.add_post_render_callback(callback)
    else:
        callback(response)


def report_cache_outcome(response: HttpResponseBase, outcome: str) -> HttpResponseBase:
    """Set the ``cache`` metric of ``Server-Timing`` to ``outcome`` (hit, miss or bypass).

    Each recipe module carries its own copy of this helper, so that it can be copied alone.
    """
    response["Server-Timing"] = f'cache;desc="{outcome}"'
    return response
