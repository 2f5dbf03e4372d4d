"""The bookshop API with entries keyed on namespace versions, and the writes that bump them."""

from typing import Any

from rest_framework.request import Request

from recipes.bookshop import views as bookshop
from recipes.bookshop.models import Book, Review
from recipes.versioned.early import AnsweredEarlyMixin
from recipes.versioned.namespaces import Namespaces, VersionedResponseMixin

namespaces = Namespaces("default")


# --8<-- [start:books]
def book_namespaces(request: Request, action: str) -> set[str]:
    """Name what a book response shows: books, their authors, the caller's favourites."""
    user = request.user
    mine = {f"favorites:{user.pk}"} if user.is_authenticated else set()
    return {"books", "authors"} | mine  # (1)!


class BookViewSet(AnsweredEarlyMixin, VersionedResponseMixin, bookshop.BookViewSet):
    cache_name = "books"
    cache_namespaces_store = namespaces

    def cache_namespaces(self, request: Request, action: str) -> set[str]:
        return book_namespaces(request, action)

    def perform_create(self, serializer: Any) -> None:
        super().perform_create(serializer)
        namespaces.bump_on_commit({"books", "authors"})

    def perform_update(self, serializer: Any) -> None:
        old_author_id = serializer.instance.author_id
        super().perform_update(serializer)
        moved = serializer.instance.author_id != old_author_id
        namespaces.bump_on_commit({"books", "authors"} if moved else {"books"})

    def perform_destroy(self, instance: Book) -> None:
        super().perform_destroy(instance)
        namespaces.bump_on_commit({"books", "authors"})

    def perform_favorite_toggle(self, book: Book, user: Any) -> None:
        super().perform_favorite_toggle(book, user)
        namespaces.bump_on_commit({f"favorites:{user.pk}"})  # (2)!


# --8<-- [end:books]


class AuthorViewSet(AnsweredEarlyMixin, VersionedResponseMixin, bookshop.AuthorViewSet):
    cache_name = "authors"
    cache_namespaces_store = namespaces

    def cache_namespaces(self, request: Request, action: str) -> set[str]:
        return {"authors"}


class ReviewViewSet(bookshop.ReviewViewSet):
    """Reviews are not cached, but each one moves its author's average rating."""

    def perform_create(self, serializer: Any) -> None:
        super().perform_create(serializer)
        namespaces.bump_on_commit({"authors"})

    def perform_destroy(self, instance: Review) -> None:
        super().perform_destroy(instance)
        namespaces.bump_on_commit({"authors"})
