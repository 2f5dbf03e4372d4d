"""The bookshop API, read through versioned entries that model signals invalidate.

The ViewSets only read: no ``perform_*`` hook here knows about the cache.
"""

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework.request import Request

from recipes.bookshop import views as bookshop
from recipes.bookshop.models import Author, Book, Favorite, Review
from recipes.versioned.early import AnsweredEarlyMixin
from recipes.versioned.namespaces import Namespaces, VersionedResponseMixin
from recipes.versioned.signals import ModelInvalidator
from recipes.versioning.views import book_namespaces

namespaces = Namespaces("default", prefix="signals-ns")


# --8<-- [start:watch]
def connect_invalidation() -> None:
    """Name the namespaces each model's rows belong to (called from ``AppConfig.ready``)."""
    invalidator = ModelInvalidator(namespaces)
    invalidator.watch(Book, lambda book: {"books", "authors"})
    invalidator.watch(Author, lambda author: {"books", "authors"})  # (1)!
    invalidator.watch(Review, lambda review: {"authors"})
    invalidator.watch(Favorite, lambda favorite: {f"favorites:{favorite.user_id}"})
    invalidator.watch_m2m(Book.favorited_by.through, favorites_changed)


def favorites_changed(instance: Any, related_pks: Any) -> set[str]:
    """Name the users whose favourites an m2m change touched, from either side."""
    if isinstance(instance, get_user_model()):
        return {f"favorites:{instance.pk}"}
    return {f"favorites:{pk}" for pk in related_pks}


# --8<-- [end:watch]


class BookViewSet(AnsweredEarlyMixin, VersionedResponseMixin, bookshop.BookViewSet):
    cache_name = "books"
    cache_namespaces_store = namespaces

    def cache_namespaces(self, request: Request, action: str) -> set[str]:
        return book_namespaces(request, action)  # the versioning recipe's


class AuthorViewSet(AnsweredEarlyMixin, VersionedResponseMixin, bookshop.AuthorViewSet):
    cache_name = "authors"
    cache_namespaces_store = namespaces

    def cache_namespaces(self, request: Request, action: str) -> set[str]:
        return {"authors"}


ReviewViewSet = bookshop.ReviewViewSet
