"""The versioning recipe's bookshop, with its most-read pages refreshed after each write."""

from typing import Any

from recipes.bookshop.models import Book
from recipes.versioning import views as versioning

from .cache_warming import refresh_on_commit

# --8<-- [start:viewsets]
MOST_READ = ("/api/warming/books/", "/api/warming/authors/")


class RefreshingMixin:
    """After a write, request the most-read pages again, as this request's client."""

    def refresh_most_read(self) -> None:
        request = self.request
        refresh_on_commit(
            MOST_READ, host=request.get_host(), secure=request.is_secure()
        )


class BookViewSet(RefreshingMixin, versioning.BookViewSet):
    def perform_create(self, serializer: Any) -> None:
        super().perform_create(serializer)  # bumps books and authors on commit
        self.refresh_most_read()  # (1)!

    def perform_update(self, serializer: Any) -> None:
        super().perform_update(serializer)
        self.refresh_most_read()

    def perform_destroy(self, instance: Book) -> None:
        super().perform_destroy(instance)
        self.refresh_most_read()


# --8<-- [end:viewsets]


class AuthorViewSet(versioning.AuthorViewSet):
    pass
