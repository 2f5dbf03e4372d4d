# From the DRF caching cookbook 0.8.2 (its CHANGELOG.md says what changed since).
# Supports Django 5.2 LTS (5.2.19+) on Python 3.11+, and Django 6 on Python 3.12+.
"""Tell browsers and CDNs what they may keep: declarative ``Cache-Control`` for ViewSets.

How the headers are chosen:

* Each action may have a ``CachePolicy``: ``max_age`` for browsers, ``s_maxage`` for shared
  caches (CDNs, proxies), ``stale_while_revalidate`` and ``stale_if_error`` (RFC 5861), and
  ``no_cache``: keep a copy, but ask the server before every use (with an ``ETag``, a 304).
* Only successful GET and HEAD responses follow a policy. Writes, errors and actions without
  a policy say ``no-store``: nothing keeps them.
* An authenticated caller gets ``private`` with the policy's ``max_age``, and none of the
  shared-cache directives: a response built for one user is never marked ``public``.
* An anonymous caller gets ``public`` with every directive of the policy.
* Every response that follows a policy varies on ``Accept``, ``Authorization`` and
  ``Cookie``: a shared cache must not answer a logged-in caller with the anonymous copy, nor a
  JSON client with HTML.
* Headers the view set itself are kept; the policy adds its directives to them.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.cache import patch_cache_control, patch_vary_headers
from rest_framework.request import Request
from rest_framework.response import Response

VARY_ON = ("Accept", "Authorization", "Cookie")


# --8<-- [start:policy]
@dataclass(frozen=True)
class CachePolicy:
    """How long browsers and shared caches may keep an action's responses, in seconds."""

    max_age: int = 0
    s_maxage: int | None = None
    stale_while_revalidate: int | None = None
    stale_if_error: int | None = None
    # Revalidate every time: readers see their own writes at once.
    no_cache: bool = False

    def directives(self, *, shared: bool) -> dict[str, Any]:
        """Return ``patch_cache_control`` arguments: all of them, or the private subset."""
        always = {"no_cache": True} if self.no_cache else {}
        if not shared:
            return {"private": True, "max_age": self.max_age, **always}
        optional = {
            "s_maxage": self.s_maxage,
            "stale_while_revalidate": self.stale_while_revalidate,
            "stale_if_error": self.stale_if_error,
        }
        return {
            "public": True,
            "max_age": self.max_age,
            **always,
            **{name: value for name, value in optional.items() if value is not None},
        }


# --8<-- [end:policy]


# --8<-- [start:mixin]
class CacheControlMixin:
    """Set ``Cache-Control`` and ``Vary`` from ``cache_policies``, keyed by action."""

    cache_policies: Mapping[str, CachePolicy] = {}

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        policy = self.cache_policies.get(getattr(self, "action", None) or "")
        cacheable = request.method in ("GET", "HEAD") and response.status_code == 200
        if policy is None or not cacheable:
            patch_cache_control(response, no_store=True)
            return response
        shared = not (request.user and request.user.is_authenticated)  # (1)!
        patch_cache_control(response, **policy.directives(shared=shared))
        patch_vary_headers(response, VARY_ON)
        return response


# --8<-- [end:mixin]
