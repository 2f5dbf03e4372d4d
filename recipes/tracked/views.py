"""The bookshop API, cached by what each response read: no tag, namespace or receiver is
named here, and no ``perform_*`` hook knows about the cache."""

from recipes.bookshop import views as bookshop

from .tracked_cache import TrackedCache, TrackedResponseMixin

store = TrackedCache("default", name="tracked")


# --8<-- [start:views]
class BookViewSet(TrackedResponseMixin, bookshop.BookViewSet):
    cache_name = "books"
    cache_store = store


class AuthorViewSet(TrackedResponseMixin, bookshop.AuthorViewSet):
    cache_name = "authors"
    cache_store = store


# --8<-- [end:views]

ReviewViewSet = bookshop.ReviewViewSet
