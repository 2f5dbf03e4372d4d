# From the DRF caching cookbook 0.8.2 (its CHANGELOG.md says what changed since).
# Supports Django 5.2 LTS (5.2.19+) on Python 3.11+, and Django 6 on Python 3.12+.
"""Answer a versioned entry's hits before DRF's dispatch, in one ``get_many``.

How it works:

* ``AnsweredEarlyMixin`` goes before ``VersionedResponseMixin`` in a ViewSet's bases and
  wraps its view (``as_view``). A GET is keyed from the request as sent: the credential
  itself (the ``Authorization`` header, the session cookie) in place of the user, the
  media type DRF's negotiation would pick, the host, the path, the query and the
  language. That key names the caller's *alias*.
* An alias holds the response as the full path sent it (bytes, content type, the headers
  DRF set), and what it stands on: each namespace's version as the entry was computed
  under, and each cached credential entry the caller was authenticated from, with its
  value (the auth-cache recipe's ``credential_entries``: the token, or the session and
  its user).
* A hit is one ``get_many``: the alias, its namespaces and its credential entries. It is
  served only while every one of them holds what the alias holds. A write bumps a
  namespace; a deleted token, a saved or deleted user and an ended session leave a
  tombstone in place of their entry: each ends the hit at once.
* Which keys go with an alias is remembered in each process: the first hit of an alias in
  a process reads the alias, then what it names (two round trips), and every later one,
  one.
* Anything else goes through DRF. When DRF answers from a current entry (a hit through
  its dispatch, a 200 that may be stored), the alias is stored: not on the entry's first
  miss, since under writes most entries are never read again, and each alias is a write
  of its own. Through DRF go another method (HEAD too), an unknown host, an ``Accept``
  no renderer serves, an out-of-date alias. So do all of a view's requests when a hit
  must pass DRF's checks: a view with throttles (each hit must be counted), a permission
  that may read more than the user (anything but ``AllowAny``, ``IsAuthenticated``,
  ``IsAuthenticatedOrReadOnly`` and ``IsAdminUser``), or an authentication that cannot
  name the entries it reads (DRF's own: each of its hits reads the database).
* An alias lasts the view's ``cache_timeout``, and never longer than the session it was
  keyed by. Its keys must live in one cache (the namespaces'): otherwise it is not stored.
"""

import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, wraps
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.utils.cache import patch_vary_headers
from rest_framework import permissions
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.settings import api_settings

from .namespaces import SCHEMA_VERSION, Namespaces

try:  # django-redis: a hit that read the same bytes as the last one decodes nothing
    from django_redis.client import DefaultClient
    from redis.exceptions import RedisError
except ImportError:  # any other cache: a hit decodes what get_many read
    DefaultClient = None

logger = logging.getLogger(__name__)

#: Permissions that read nothing but the user, which a saved user's tombstone covers.
USER_ONLY_PERMISSIONS = {
    permissions.AllowAny,
    permissions.IsAuthenticated,
    permissions.IsAuthenticatedOrReadOnly,
    permissions.IsAdminUser,
}
UNSTORED_HEADERS = {"server-timing", "set-cookie", "date", "content-type"}
KNOWN_MOST = 10_000  # aliases whose keys a process remembers
MISSING = object()
Read = tuple[tuple[str, bytes | None], ...]  # each key, and its bytes as stored
UNREAD: Read = ()  # Redis failed


# --8<-- [start:mixin]
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
    """What the full path tells the early wrapper about one request it answered."""

    versions: dict[str, int] | None = None  # by the namespace's key in the cache
    credential: dict[tuple[str, str], Any] | None = None  # {} for anonymous


class AnsweredEarlyMixin:
    """Answer hits of ``list`` and ``retrieve`` before DRF's dispatch."""

    cache_name: str
    cache_timeout: int
    cache_namespaces_store: Namespaces
    cache_answers_early: bool = True  # False: every request through DRF, as before

    @classmethod
    def as_view(cls, actions: dict | None = None, **initkwargs: Any) -> Callable:
        view = super().as_view(actions, **initkwargs)
        action = (actions or {}).get("get")
        if action not in ("list", "retrieve") or not answers_early(cls):
            return view
        return answer_hits_first(cls, f"{cls.cache_name}.{action}", view)

    def is_current(self, entry: Any, versions: dict[str, int]) -> bool:
        """A current entry read through DRF is worth an alias: it was read again."""
        current = super().is_current(entry, versions)
        if current:
            self.note_for_early_path(versions)
        return current

    def note_for_early_path(self, versions: dict[str, int]) -> None:
        """Tell the early wrapper the versions and the credential this answer stood on."""
        miss = getattr(self.request._request, "early_miss", None)
        if miss is not None:
            prefix = self.cache_namespaces_store.prefix
            miss.versions = {f"{prefix}:{n}": v for n, v in versions.items()}
            miss.credential = credential_entries(self.request)


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


def credential_entries(request: Request) -> dict[tuple[str, str], Any] | None:
    """The cached entries the caller was authenticated from; ``None`` if unknown."""
    authenticator = request.successful_authenticator
    if authenticator is None:
        return {}  # anonymous: the response stands on no credential
    named = getattr(authenticator, "credential_entries", None)  # (1)!
    return named(request) if named else None


# --8<-- [end:mixin]


# --8<-- [start:wrapper]
def answer_hits_first(view_class: type, name: str, view: Callable) -> Callable:
    """Wrap DRF's ``view``: a current alias is answered from one ``get_many``; anything
    else goes to DRF, and the answer is stored as the caller's alias."""
    alias_name = view_class.cache_namespaces_store.alias

    @wraps(view)
    def hits_first(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        key = early_key(view_class, name, request, kwargs)
        if key is None:
            return view(request, *args, **kwargs)
        if (alias := current_alias(caches[alias_name], key)) is not None:
            return report_cache_outcome(alias.replay(), "hit")
        miss = request.early_miss = EarlyMiss()
        response = view(request, *args, **kwargs)
        timeout = min(view_class.cache_timeout, credential_lifetime(request))
        alias = alias_for(request, response, miss, alias_name)
        if alias is not None and timeout > 0:
            caches[alias_name].set(key, alias, timeout)
            remember(key, alias)
        return response

    return hits_first


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
    request: HttpRequest, response: HttpResponseBase, miss: EarlyMiss, alias_name: str
) -> Alias | None:
    """Return the alias to store for what the full path answered, or ``None``."""
    if (
        miss.versions is None
        or miss.credential is None
        or not storable(request, response)
    ):
        return None
    if any(cache_alias != alias_name for cache_alias, _ in miss.credential):
        return None  # its keys would not be read in one get_many
    stands_on = miss.versions | {key: v for (_, key), v in miss.credential.items()}
    return Alias(
        stands_on,
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


# --8<-- [end:wrapper]


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


# --8<-- [start:key]
def early_key(
    view_class: type, name: str, request: HttpRequest, url_kwargs: dict[str, Any]
) -> str | None:
    """Return a key of what a GET's response depends on, read from the raw request: the
    credential instead of the user. ``None`` for anything but a GET, an unknown host, or
    an ``Accept`` no renderer serves: DRF answers those as it would.

    The same key, and negotiation, as the tracked recipe's early path: each copy unit
    carries its own, so that it can be copied alone.
    """
    if request.method != "GET":
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
        )
        if view_class.cache_per_user
        else None,
        "media_type": media_type,
        "language": (
            request.META.get("HTTP_ACCEPT_LANGUAGE"),
            request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME),
        ),
        "origin": origin,
        "query": request.META.get("QUERY_STRING", ""),  # as sent
    }
    # In a fixed order, strings quoted: as unambiguous as JSON, and cheaper.
    encoded = repr(parts)
    return f"{name}.early:{hashlib.sha256(encoded.encode()).hexdigest()}"


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


# --8<-- [end:key]


def credential_lifetime(request: HttpRequest) -> float:
    """Return how long the session can last, in seconds (an alias keyed by it must not
    outlive it); no limit without one."""
    session = getattr(request, "session", None)
    if session is None or not request.COOKIES.get(settings.SESSION_COOKIE_NAME):
        return float("inf")
    return max(0, session.get_expiry_age())


def storable(request: HttpRequest, response: HttpResponseBase) -> bool:
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
        and "no-store" not in response.get("Cache-Control", "")
    )


def headers_to_replay(
    request: HttpRequest, response: HttpResponseBase
) -> tuple[tuple[str, str], ...]:
    """Return the headers DRF set (``Allow``, ``Vary``), and the ``Vary: Cookie`` the
    session middleware adds when the view read the session."""
    if getattr(getattr(request, "session", None), "accessed", False):
        patch_vary_headers(response, ["Cookie"])
    return tuple(
        (name, value)
        for name, value in response.items()
        if name.lower() not in UNSTORED_HEADERS
    )


def report_cache_outcome(response: HttpResponseBase, outcome: str) -> HttpResponseBase:
    """Set the ``cache`` metric of ``Server-Timing`` to ``outcome`` (hit, miss or bypass).

    Each recipe module carries its own copy of this helper, so that it can be copied alone.
    """
    response["Server-Timing"] = f'cache;desc="{outcome}"'
    return response
