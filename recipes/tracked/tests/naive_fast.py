"""Naive fast paths: a cache in front of DRF's dispatch, as it is often written, kept to show
what it gets wrong. Each wraps the uncached bookshop's book list and answers a GET whose
entry it stored, without DRF:

* ``by_credential`` keys the entry on the ``Authorization`` header and never looks at the
  token again: a revoked token keeps its pages until they expire;
* ``by_user`` authenticates first (from the auth-cache recipe's cache), then keys the entry
  on the user: a hit costs two Redis round trips, the caller and then the entry;
* ``throttled`` answers hits of a throttled view before its throttle counts them.
"""

from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import path
from rest_framework.request import Request

from recipes.auth_cache.cached_auth import CachedTokenAuthentication
from recipes.bookshop.views import BookViewSet

from . import early
from .early import TwoAMinute

Key = Callable[[HttpRequest], str]


# --8<-- [start:naive]
def answered_early(view: Callable, key_of: Key) -> Callable:
    """Serve a stored GET before ``view`` runs; store each 200 it renders."""

    def fast(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        key = f"naive-fast:{key_of(request)}:{request.get_full_path()}"
        if (found := cache.get(key)) is not None:
            return HttpResponse(found[0], content_type=found[1])
        response = view(request, *args, **kwargs)
        response.render()
        if response.status_code == 200:
            cache.set(key, (response.content, response["Content-Type"]), 300)
        return response

    return fast


def credential(request: HttpRequest) -> str:
    return request.headers.get("Authorization", "")


def user(request: HttpRequest) -> str:
    found = CachedTokenAuthentication().authenticate(Request(request))
    return str(found[0].pk) if found else "anonymous"


# --8<-- [end:naive]


class ThrottledBooks(BookViewSet):
    throttle_classes = [TwoAMinute]


books = BookViewSet.as_view({"get": "list"})
throttled_books = ThrottledBooks.as_view({"get": "list"})
urlpatterns = [  # beside the recipe's own early paths, for comparison
    path("naive/by-credential/books/", answered_early(books, credential)),
    path("naive/by-user/books/", answered_early(books, user)),
    path("naive/throttled/books/", answered_early(throttled_books, credential)),
    *early.urlpatterns,
]
