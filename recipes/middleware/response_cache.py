# From the DRF caching cookbook 0.8.2 (its CHANGELOG.md says what changed since).
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

Hits before DRF's dispatch (``as_view``), with the auth-cache recipe:

* A GET is also keyed from the request as sent: the credential itself (the
  ``Authorization`` header, the session cookie) in place of the user, the media type DRF's
  negotiation would pick, and the rest of the key above. That key names the caller's
  *alias*: the response as DRF sent it, and the cached credential entries the caller was
  authenticated from, with their values (auth-cache's ``credential_entries``).
* A hit is one ``get_many`` of the alias and those entries, served only while each holds
  what the alias holds: a deleted token, a saved user and an ended session leave a
  tombstone in their place, and end it at once. The alias expires with the entry it copies.
* The alias is stored when DRF answers from an entry (the entry's second read). Every
  request of a view goes through DRF when a hit must pass its checks: a view with
  throttles, a permission that may read more than the user, or an authentication that
  names no cached entry (DRF's own). ``cache_answers_early = False`` turns it off.
"""

import hashlib
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, wraps
from typing import Any, Self

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import DisallowedHost, ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.utils.cache import get_max_age, patch_vary_headers
from rest_framework import permissions
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.settings import api_settings

try:  # django-redis: a hit that read the same bytes as the last one decodes nothing
    from django_redis.client import DefaultClient
    from redis.exceptions import RedisError
except ImportError:  # any other cache: a hit decodes what get_many read
    DefaultClient = None

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
#: Permissions that read nothing but the user, which a saved user's tombstone covers.
USER_ONLY_PERMISSIONS = {
    permissions.AllowAny,
    permissions.IsAuthenticated,
    permissions.IsAuthenticatedOrReadOnly,
    permissions.IsAdminUser,
}
# What an alias does not replay: per exchange, or set by the response it builds.
UNREPLAYED_HEADERS = {"server-timing", "set-cookie", "date", "content-type"}
KNOWN_MOST = 10_000  # aliases whose keys a process remembers
MISSING = object()
Read = tuple[tuple[str, bytes | None], ...]  # each key, and its bytes as stored
UNREAD: Read = ()  # Redis failed


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
        entry = self.response_cache_entry = self.read_entry(self.response_cache_plan)
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
            note_for_early_path(request, self.response_cache_entry)
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
    # --8<-- [start:early_view]
    response_cache_entry: dict[str, Any] | None = None  # what initial() read
    cache_answers_early: bool = True  # False: every request through DRF's dispatch

    @classmethod
    def as_view(cls, *args: Any, **initkwargs: Any) -> Callable:
        """DRF's view, behind one that answers hits before DRF's dispatch."""
        view = super().as_view(*args, **initkwargs)
        return answer_hits_first(cls, view) if answers_early(cls) else view


# --8<-- [end:early_view]


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
        "expires": time.time() + plan.timeout,  # an alias of it must not outlive it
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


# --8<-- [start:early]
@dataclass(frozen=True)
class Alias:
    """A caller's response, and what it stands on: each key's value when it was stored."""

    stands_on: dict[str, Any]
    content_type: str
    content: bytes
    headers: tuple[tuple[str, str], ...]

    def replay(self) -> HttpResponse:
        response = HttpResponse(self.content, content_type=self.content_type)
        for name, value in self.headers:
            response[name] = value
        return response


@dataclass
class EarlyMiss:
    """What the full path tells the early wrapper about a request it answered."""

    credential: dict[tuple[str, str], Any] | None = None  # {} for anonymous
    expires: float = 0.0  # when the entry it answered from expires


def answers_early(view_class: type) -> bool:
    """Whether the view's hits may skip DRF's checks: no throttle to count them, no
    permission that reads more than the user, and every credential's entries known."""
    return (
        view_class.cache_answers_early
        and not view_class.throttle_classes
        and all(p in USER_ONLY_PERMISSIONS for p in view_class.permission_classes)
        and all(
            hasattr(a, "credential_entries") for a in view_class.authentication_classes
        )
    )


def answer_hits_first(view_class: type, view: Callable) -> Callable:
    """Wrap DRF's ``view``: a current alias is answered from one ``get_many``; anything
    else goes to DRF, and an answer from an entry is stored as the caller's alias."""

    @wraps(view)
    def hits_first(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        config = ResponseCacheSettings.from_django_settings()
        key = early_key(view_class, config, request, kwargs)
        if key is None:
            return view(request, *args, **kwargs)
        cache = caches[config.alias]
        if (alias := current_alias(cache, key)) is not None:
            return report_cache_outcome(alias.replay(), "hit")
        miss = request.early_miss = EarlyMiss()
        response = view(request, *args, **kwargs)
        alias = alias_for(request, response, miss, config.alias)
        lasts = min(miss.expires - time.time(), credential_lifetime(request))
        if alias is not None and lasts >= 1:
            cache.set(key, alias, int(lasts))
            remember(key, alias)
        return response

    return hits_first


def note_for_early_path(request: Request, entry: dict[str, Any] | None) -> None:
    """Tell the early wrapper the credential this hit stood on, and when its entry ends."""
    miss = getattr(request._request, "early_miss", None)
    if miss is not None and entry is not None and "expires" in entry:
        miss.credential = credential_entries(request)
        miss.expires = entry["expires"]


def credential_entries(request: Request) -> dict[tuple[str, str], Any] | None:
    """The cached entries the caller was authenticated from; ``None`` if unknown."""
    authenticator = request.successful_authenticator
    if authenticator is None:
        return {}  # anonymous: the response stands on no credential
    named = getattr(authenticator, "credential_entries", None)
    return named(request) if named else None


def current_alias(cache: Any, key: str) -> Alias | None:
    """Return the alias under ``key`` if everything it stands on still holds what it
    held; one ``get_many`` once this process knows the alias's keys."""
    known = _known.get(key, ())
    keys = [key, *known]
    read = read_as_stored(cache, keys)
    if read == UNREAD:
        return None  # Redis failed: DRF answers, as it does with the cache down
    if read is not None and (alias := _verified.alias_read_as(key, read)) is not None:
        return alias  # (1)!
    found = dict(cache.get_many(keys) if read is None else decoded(cache, read))
    alias = found.pop(key, None)
    if not isinstance(alias, Alias):
        return None
    if unread := [k for k in alias.stands_on if k not in found and k not in known]:
        found |= cache.get_many(unread)  # the first hit in this process
        remember(key, alias)
    current = all(found.get(k, MISSING) == v for k, v in alias.stands_on.items())
    if current and read is not None and not unread:
        _verified.keep(key, read, alias)
    return alias if current else None


def alias_for(
    request: HttpRequest, response: HttpResponseBase, miss: EarlyMiss, cache_alias: str
) -> Alias | None:
    """Return the alias to store for what DRF answered, or ``None``."""
    if miss.credential is None or not replayable(request, response):
        return None
    if any(alias != cache_alias for alias, _ in miss.credential):
        return None  # its keys would not be read in one get_many
    return Alias(
        {key: value for (_, key), value in miss.credential.items()},
        response["Content-Type"],
        response.content,
        headers_to_replay(request, response),
    )


def remember(key: str, alias: Alias) -> None:
    with _known_lock:
        if len(_known) >= KNOWN_MOST:
            _known.pop(next(iter(_known)))  # the oldest
        _known[key] = tuple(alias.stands_on)


_known: dict[str, tuple[str, ...]] = {}
_known_lock = threading.Lock()


# --8<-- [end:early]


# --8<-- [start:verified]
def read_as_stored(cache: Any, keys: list[str]) -> Read | None:
    """Return each key's bytes as stored, from django-redis's one ``MGET``; ``UNREAD``
    if Redis failed, and ``None`` for any other cache (its ``get_many`` decodes)."""
    client = getattr(cache, "client", None)
    if DefaultClient is None or not reads_like_default_client(client):
        return None
    try:
        stored = client.get_client(write=False).mget([cache.make_key(k) for k in keys])
    except RedisError:
        logger.warning("Could not read the alias %s; answering through DRF", keys[0])
        return UNREAD
    return tuple(zip(keys, stored, strict=True))


def reads_like_default_client(client: Any) -> bool:
    """Whether ``client`` reads ``get_many`` as django-redis's ``DefaultClient`` does:
    one ``MGET`` on one server, each reply decoded by ``decode``."""
    kind = type(client)
    return (
        isinstance(client, DefaultClient)
        and kind.get_many is DefaultClient.get_many
        and kind.decode is DefaultClient.decode
    )


def decoded(cache: Any, read: Read) -> dict[str, Any]:
    return {key: cache.client.decode(raw) for key, raw in read if raw is not None}


class VerifiedAliases:
    """Each alias this process last found current, with the bytes it was read from.

    The same bytes decode to the same values, so a hit that reads those bytes again is
    current without decoding them: unzipping and unpickling the response and the
    caller's token cost a hit more than its key does. A write, an ended credential or an
    expiry changes a key's bytes, and the hit is decoded and checked again. Holds at most
    ``most_bytes`` of responses and reads; the oldest go first.
    """

    def __init__(self, most_bytes: int = 16 * 2**20) -> None:
        self.most_bytes = most_bytes
        self._held: dict[str, tuple[Read, Alias, int]] = {}
        self._size = 0
        self._lock = threading.Lock()

    def alias_read_as(self, key: str, read: Read) -> Alias | None:
        held = self._held.get(key)
        return held[1] if held is not None and held[0] == read else None

    def keep(self, key: str, read: Read, alias: Alias) -> None:
        size = len(alias.content) + sum(len(raw or b"") for _, raw in read)
        with self._lock:
            self._drop(key)
            if size > self.most_bytes:
                return
            while self._size + size > self.most_bytes:
                self._drop(next(iter(self._held)))  # the oldest
            self._held[key] = (read, alias, size)
            self._size += size

    def _drop(self, key: str) -> None:
        if (held := self._held.pop(key, None)) is not None:
            self._size -= held[2]


_verified = VerifiedAliases()


# --8<-- [end:verified]


# --8<-- [start:early_key]
def early_key(
    view_class: type,
    config: ResponseCacheSettings,
    request: HttpRequest,
    url_kwargs: dict[str, Any],
) -> str | None:
    """Return a key of what a GET's response depends on, read from the raw request: the
    credential instead of the user. ``None`` where ``plan_for`` would not cache, and for
    an unknown host or an ``Accept`` no renderer serves: DRF answers those as it would.

    The same key and negotiation as the tracked and versioning recipes' early paths, with
    ``VARY_ON``; the alias is the versioning recipe's, standing on credentials alone. Each
    copy unit carries its own, so that it can be copied alone.
    """
    if request.method != "GET" or config.timeout_for(request.path) is None:
        return None
    if "no-store" in directives(request.META.get("HTTP_CACHE_CONTROL")):
        return None
    try:
        origin = f"{request.scheme}://{request.get_host()}"
        media_type = negotiated_media_type(view_class, request, url_kwargs)
    except (DisallowedHost, NotAcceptable):
        return None
    parts = {
        "schema": SCHEMA_VERSION,
        "path": request.path,
        "url": {key: str(value) for key, value in url_kwargs.items()},
        "credential": (
            request.META.get("HTTP_AUTHORIZATION"),
            request.COOKIES.get(settings.SESSION_COOKIE_NAME),
        ),
        "media_type": media_type,
        "language": (
            request.META.get("HTTP_ACCEPT_LANGUAGE"),
            request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME),
        ),
        "origin": origin,
        "query": request.META.get("QUERY_STRING", ""),  # as sent
        "headers": {name.lower(): request.headers.get(name) for name in config.vary_on},
    }
    # In a fixed order, strings quoted: as unambiguous as JSON, and cheaper.
    encoded = repr(parts)
    return f"{config.key_prefix}.early:{hashlib.sha256(encoded.encode()).hexdigest()}"


def negotiated_media_type(
    view_class: type, request: HttpRequest, url_kwargs: dict[str, Any]
) -> str:
    """Return the media type DRF's content negotiation picks for ``request``: browsers'
    ``Accept`` headers differ, and share an alias when they pick the same renderer."""
    suffix = url_kwargs.get("format")
    if view_class.content_negotiation_class is not DefaultContentNegotiation:
        return select_media_type(view_class, request, suffix)  # it may read anything
    override = api_settings.URL_FORMAT_OVERRIDE
    return media_type_for(
        view_class,
        request.META.get("HTTP_ACCEPT", "*/*"),
        request.GET.get(override)
        if override and request.META.get("QUERY_STRING")
        else None,
        suffix,
    )


# --8<-- [end:early_key]


@lru_cache(maxsize=1024)
def media_type_for(
    view_class: type, accept: str, format_override: str | None, suffix: str | None
) -> str:
    """DRF's default negotiation reads only these: remembered, a hit skips it."""
    request = HttpRequest()
    request.META["HTTP_ACCEPT"] = accept
    if format_override is not None:
        request.GET = QueryDict(mutable=True)
        request.GET[api_settings.URL_FORMAT_OVERRIDE] = format_override
    return select_media_type(view_class, request, suffix)


def select_media_type(
    view_class: type, request: HttpRequest, suffix: str | None
) -> str:
    negotiator = view_class.content_negotiation_class()
    renderers = [renderer() for renderer in view_class.renderer_classes]
    return negotiator.select_renderer(Request(request), renderers, suffix)[1]


def credential_lifetime(request: HttpRequest) -> float:
    """Return how long the session can last, in seconds (an alias keyed by it must not
    outlive it); no limit without one."""
    session = getattr(request, "session", None)
    if session is None or not request.COOKIES.get(settings.SESSION_COOKIE_NAME):
        return float("inf")
    return max(0, session.get_expiry_age())


def replayable(request: HttpRequest, response: HttpResponseBase) -> bool:
    """Whether the next request with the same key may be answered as this one was: a
    rendered 200 that sets no cookie (CSRF's either) and left the session as it was."""
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.streaming
        and getattr(response, "is_rendered", True)
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not getattr(session, "modified", False)
    )


def headers_to_replay(
    request: HttpRequest, response: HttpResponseBase
) -> tuple[tuple[str, str], ...]:
    """Return the headers the response carries (``Allow``, ``Vary``), and the ``Vary:
    Cookie`` the session middleware adds when the view read the session."""
    if getattr(getattr(request, "session", None), "accessed", False):
        patch_vary_headers(response, ["Cookie"])
    return tuple(
        (name, value)
        for name, value in response.items()
        if name.lower() not in UNREPLAYED_HEADERS
    )


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
