"""The bookshop API with explicit cache keys and the tags each write invalidates."""

from typing import Any

from recipes.bookshop import views as bookshop
from recipes.bookshop.models import Book, Review

from .tagged_cache import CachedResponseMixin, TaggedCache, rows_in

store = TaggedCache("default", name="manual-keys")


# --8<-- [start:books]
class BookViewSet(CachedResponseMixin, bookshop.BookViewSet):
    cache_namespace = "books"
    cache_store = store

    def cache_tags(self, action: str, data: Any) -> set[str]:
        books = rows_in(data)
        return (
            {f"book:{book['id']}" for book in books}
            | {f"author:{book['author']['id']}" for book in books}  # (1)!
            | ({"books:list"} if action == "list" else set())
        )

    def perform_create(self, serializer: Any) -> None:
        super().perform_create(serializer)
        self.invalidate({"books:list", f"author:{serializer.instance.author_id}"})

    def perform_update(self, serializer: Any) -> None:
        old_author_id = serializer.instance.author_id
        super().perform_update(serializer)
        book = serializer.instance
        self.invalidate(
            {f"book:{book.pk}", f"author:{old_author_id}", f"author:{book.author_id}"}
        )

    def perform_destroy(self, instance: Book) -> None:
        tags = {"books:list", f"book:{instance.pk}", f"author:{instance.author_id}"}
        super().perform_destroy(instance)
        self.invalidate(tags)

    def perform_favorite_toggle(self, book: Book, user: object) -> None:
        super().perform_favorite_toggle(book, user)
        self.invalidate({f"book:{book.pk}"})


# --8<-- [end:books]


class AuthorViewSet(CachedResponseMixin, bookshop.AuthorViewSet):
    cache_namespace = "authors"
    cache_store = store

    def cache_tags(self, action: str, data: Any) -> set[str]:
        authors = rows_in(data)
        return {f"author:{author['id']}" for author in authors} | (
            {"authors:list"} if action == "list" else set()
        )


# --8<-- [start:reviews]
class ReviewViewSet(bookshop.ReviewViewSet):
    """Reviews are not cached, but each one moves its author's average rating."""

    def perform_create(self, serializer: Any) -> None:
        super().perform_create(serializer)
        store.invalidate_on_commit({f"author:{serializer.instance.book.author_id}"})

    def perform_destroy(self, instance: Review) -> None:
        author_id = instance.book.author_id
        super().perform_destroy(instance)
        store.invalidate_on_commit({f"author:{author_id}"})


# --8<-- [end:reviews]
