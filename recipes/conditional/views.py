"""The bookshop API with ETag and Last-Modified, from namespaces that model signals bump."""

from rest_framework.request import Request

from recipes.bookshop import views as bookshop
from recipes.bookshop.models import Author, Book, Favorite, Review
from recipes.signals.views import favorites_changed
from recipes.versioned.conditional import ConditionalMixin, TimedNamespaces
from recipes.versioned.signals import ModelInvalidator

namespaces = TimedNamespaces("default", prefix="conditional-ns")


# --8<-- [start:watch]
def connect_invalidation() -> None:
    """Name the namespaces each model's rows belong to (called from ``AppConfig.ready``)."""
    invalidator = ModelInvalidator(namespaces)
    invalidator.watch(Book, lambda book: {"books", "authors"})
    invalidator.watch(Author, lambda author: {"books", "authors"})
    invalidator.watch(Review, lambda review: {"authors"})  # (1)!
    invalidator.watch(Favorite, lambda favorite: {f"favorites:{favorite.user_id}"})
    invalidator.watch_m2m(Book.favorited_by.through, favorites_changed)


# --8<-- [end:watch]


# --8<-- [start:viewsets]
class BookViewSet(ConditionalMixin, bookshop.BookViewSet):
    conditional_store = namespaces

    def conditional_namespaces(self, request: Request) -> set[str]:
        user = request.user
        mine = {f"favorites:{user.pk}"} if user.is_authenticated else set()
        return {"books", "authors"} | mine  # (1)!


class AuthorViewSet(ConditionalMixin, bookshop.AuthorViewSet):
    conditional_store = namespaces
    conditional_per_user = False

    def conditional_namespaces(self, request: Request) -> set[str]:
        return {"authors"}


# --8<-- [end:viewsets]
