# From the DRF caching cookbook 0.8.2 (its CHANGELOG.md says what changed since).
# Supports Django 5.2 LTS (5.2.19+) on Python 3.11+, and Django 6 on Python 3.12+.
"""Conditional requests for DRF views: ETag and Last-Modified without rendering the body.

How the validators work:

* Every response depends on a few namespaces (``books``, ``authors``, ``favorites:3``), as in
  the versioning recipe (``namespaces.py``, beside this module). A
  write bumps the namespaces it changed, and records when.
* The ETag is a hash of those namespaces' versions, the caller (for per-user views), the
  negotiated media type and the URL. It is computed after DRF has authenticated the caller
  and negotiated the format, before the view runs, with one ``get_many``: a 304 costs
  authentication and one cache read, and the view, serializers and renderer never run.
* JSON bodies are the same bytes for the same versions, so their ETags are strong. The
  browsable API's HTML holds a fresh CSRF token each time, so its ETags are weak.
* ``Last-Modified`` is the latest time any of the namespaces was bumped: deletes, reviews and
  favourites included, which a model's ``updated_at`` column misses. HTTP dates have whole
  seconds, so within a second of a change no ``Last-Modified`` is sent at all: a client could
  otherwise be told "not modified" about a second write in the same second.
* The preconditions are Django's own (``get_conditional_response``, RFC 9110 §13.2.2):
  ``If-None-Match`` and ``If-Modified-Since`` answer GET and HEAD with 304; ``If-Match`` and
  ``If-Unmodified-Since`` on a write to an existing object answer 412, with a message,
  when the object has changed since the client read it. ``require_if_match`` turns a write
  without ``If-Match`` into a 428.
* Responses to writes carry no ETag: the namespaces are bumped when the transaction commits,
  after the response is built. Read the object again for its new ETag.
* When the cache is down no validator is sent and no 304 is given (fail open); an
  ``If-Match`` cannot be verified then, and gets a 412.
"""

import hashlib
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.cache import caches
from django.http import HttpResponse, HttpResponseBase
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.request import Request

from .namespaces import Namespaces, fresh_version, request_parts

SAFE_METHODS = ("GET", "HEAD")
WEAK_FORMATS = {"api"}  # the browsable API: a new CSRF token in every page


# --8<-- [start:namespaces]
@dataclass(frozen=True)
class Validators:
    versions: dict[str, int]
    changed_at: float  # seconds since the epoch


class TimedNamespaces(Namespaces):
    """Namespaces that also remember when each was last bumped."""

    def bump(self, names: Iterable[str]) -> None:
        names = set(names)
        super().bump(names)
        now = fresh_version()  # microseconds since the epoch
        caches[self.alias].set_many(
            {f"{self.prefix}:{name}:at": now for name in names}, timeout=None
        )

    def validators(self, names: Iterable[str]) -> Validators | None:
        """Return versions and last change of ``names`` in one read; ``None`` if down."""
        names = set(names)
        found = self.versions(names | {f"{name}:at" for name in names})  # (1)!
        if found is None:
            return None
        return Validators(
            versions={name: found[name] for name in names},
            changed_at=max(found[f"{name}:at"] for name in names) / 1_000_000,
        )


# --8<-- [end:namespaces]


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "The resource has changed since you read it (If-Match or If-Unmodified-Since "
        "did not match). Read it again for its current ETag, then retry."
    )
    default_code = "precondition_failed"


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = (
        "Send If-Match with the ETag of the version you read, so that a newer version "
        "is never overwritten."
    )
    default_code = "precondition_required"


# --8<-- [start:mixin]
class ConditionalMixin:
    """Send ETag and Last-Modified, answer 304, and refuse writes to a changed object."""

    conditional_store: TimedNamespaces
    conditional_per_user: bool = True
    require_if_match: bool = False
    current: "Current | None" = None  # (1)!

    def conditional_namespaces(self, request: Request) -> set[str]:
        """Return the namespaces this action's response depends on: override per view."""
        raise NotImplementedError("name the namespaces a response depends on")

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # (2)!
        self.current = None
        if request.method in SAFE_METHODS:
            self.current = self.current_validators(request)
            verdict = evaluate_preconditions(request, self.current)
            if verdict is not None:  # (3)!
                setattr(self, request.method.lower(), lambda *args, **kwargs: verdict)
        elif self.detail:
            self.check_write_preconditions(request)

    def check_write_preconditions(self, request: Request) -> None:
        """Refuse a write made from an old version (412), or without If-Match (428)."""
        if self.require_if_match and "If-Match" not in request.headers:
            raise PreconditionRequired()
        if {"If-Match", "If-Unmodified-Since"} & set(request.headers):
            current = self.current_validators(request)  # (4)!
            evaluate_preconditions(request, current)

    def finalize_response(
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.current is not None and response.status_code in (200, 304):
            for name, value in self.current.headers().items():
                response[name] = value
            if self.conditional_per_user:
                patch_vary_headers(response, ("Authorization", "Cookie"))
        outcome = {304: "hit", 200: "miss"}.get(response.status_code, "bypass")
        return report_cache_outcome(response, outcome if self.current else "bypass")

    def current_validators(self, request: Request) -> "Current | None":
        """Return the ETag and Last-Modified a GET of this resource would get now."""
        validators = self.conditional_store.validators(
            self.conditional_namespaces(request)
        )
        if validators is None:
            return None  # the cache is down: no validator, no 304
        resource = {
            "view": getattr(self, "basename", None) or type(self).__name__,
            "detail": bool(self.detail),
            "url_kwargs": {name: str(value) for name, value in self.kwargs.items()},
        }
        user = request.user if self.conditional_per_user else None
        changed_at = int(validators.changed_at)
        return Current(
            etag=entity_tag(request, validators, resource, user),
            last_modified=changed_at if time.time() - changed_at >= 1 else None,  # (5)!
        )


# --8<-- [end:mixin]


@dataclass(frozen=True)
class Current:
    """The validators of the current version of a resource."""

    etag: str
    last_modified: int | None  # whole seconds since the epoch

    def headers(self) -> dict[str, str]:
        headers = {"ETag": self.etag}
        if self.last_modified is not None:
            headers["Last-Modified"] = http_date(self.last_modified)
        return headers


# --8<-- [start:preconditions]
def evaluate_preconditions(
    request: Request, current: Current | None
) -> HttpResponseBase | None:
    """Return a 304 to send instead of the view's response, raise a 412, or ``None``.

    Django's ``get_conditional_response`` applies RFC 9110's order: If-Match, then
    If-Unmodified-Since, then If-None-Match, then If-Modified-Since.
    """
    headers = HttpResponse()
    for name, value in (current.headers() if current else {}).items():
        headers[name] = value
    verdict = get_conditional_response(
        request._request,
        etag=current and current.etag,
        last_modified=current and current.last_modified,
        response=headers,
    )
    if verdict.status_code == 412:
        raise PreconditionFailed()
    return None if verdict is headers else verdict


# --8<-- [end:preconditions]


# --8<-- [start:etag]
def entity_tag(
    request: Request, validators: Validators, resource: dict, user: Any
) -> str:
    """Hash what the response depends on into an ETag: weak for non-byte-stable formats."""
    parts = {
        "versions": validators.versions,
        "resource": resource,  # the object, not the path: its actions share its ETag
        **request_parts(request, user),
    }
    encoded = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    tag = f'"{hashlib.sha256(encoded.encode()).hexdigest()[:32]}"'
    return f"W/{tag}" if request.accepted_renderer.format in WEAK_FORMATS else tag


# --8<-- [end:etag]


def report_cache_outcome(response: HttpResponseBase, outcome: str) -> HttpResponseBase:
    """Set the ``cache`` metric of ``Server-Timing``: ``hit`` for a 304 (the client's copy
    is still good), ``miss`` for a 200 with validators, ``bypass`` otherwise.

    Each recipe module carries its own copy of this helper, so that it can be copied alone.
    """
    response["Server-Timing"] = f'cache;desc="{outcome}"'
    return response
