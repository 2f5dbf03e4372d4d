"""What the benchmark measures the recipes against, served beside them by ``bench_urls``.

* The floor: a plain Django view that returns bytes rendered ahead of time. No request can
  be answered faster by anything that runs in Django with the demo's middleware.
* The floor plus one raw Redis ``GET``: the least any shared cache can cost.
* drf-extensions' ``CacheResponseMixin`` with a per-user key, the most used library for
  caching DRF responses (``rest_framework_extensions``), twice: with DRF's own token
  authentication, as a project without the auth-cache recipe runs it, and with the demo's
  cached authentication, as every recipe here runs: the comparison on equal terms.
* The naive ``cache_page`` + ``vary_on_headers("Authorization")``.
* The middleware recipe with DRF's own ``TokenAuthentication``: what the auth-cache recipe
  saves on a token caller's hit.
"""

from django.http import HttpRequest, HttpResponse
from django_redis import get_redis_connection
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework_extensions.cache.mixins import CacheResponseMixin
from rest_framework_extensions.key_constructor import bits
from rest_framework_extensions.key_constructor.constructors import (
    DefaultKeyConstructor,
)

from recipes.bookshop import views as bookshop
from recipes.middleware import views as middleware

# Rendered by the harness before it measures (the uncached response of each page), and
# stored in Redis, where each server process reads them once.
FLOOR_BODIES: dict[str, bytes] = {}


def floor_key(page: str) -> str:
    return f"bench:floor:{page}"


def floor(request: HttpRequest, page: str) -> HttpResponse:
    """Return the page's bytes, rendered ahead of time."""
    if page not in FLOOR_BODIES:
        FLOOR_BODIES[page] = get_redis_connection("default").get(floor_key(page))
    return HttpResponse(FLOOR_BODIES[page], content_type="application/json")


def floor_with_redis_get(request: HttpRequest, page: str) -> HttpResponse:
    """Return the page's bytes from one raw Redis ``GET``."""
    body = get_redis_connection("default").get(floor_key(page))
    return HttpResponse(body, content_type="application/json")


def store_floor_bodies(bodies: dict[str, bytes]) -> None:
    """Keep ``bodies`` for the floor views, in memory and in Redis."""
    FLOOR_BODIES.update(bodies)
    redis = get_redis_connection("default")
    for page, body in bodies.items():
        redis.set(floor_key(page), body)


class PerUserKeyConstructor(DefaultKeyConstructor):
    """drf-extensions' default key (view, action, format, language) plus the caller and
    the query parameters: without them it serves one caller's page to another."""

    user = bits.UserKeyBit()
    query_params = bits.QueryParamsKeyBit()
    kwargs = bits.KwargsKeyBit()


class ExtensionsBookViewSet(CacheResponseMixin, bookshop.BookViewSet):
    """drf-extensions as a project without the auth-cache recipe runs it: DRF's own token
    authentication (sessions go through the project's session engine and backend)."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    list_cache_key_func = PerUserKeyConstructor()
    object_cache_key_func = PerUserKeyConstructor()


class ExtensionsCachedAuthBookViewSet(CacheResponseMixin, bookshop.BookViewSet):
    """drf-extensions with the demo's authentication, which the recipes use too: tokens
    read from the cache (the auth-cache recipe), sessions from the session engine."""

    list_cache_key_func = PerUserKeyConstructor()
    object_cache_key_func = PerUserKeyConstructor()


class PlainTokenMiddlewareBookViewSet(middleware.BookViewSet):
    """The middleware recipe's books, authenticating tokens from the database."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
