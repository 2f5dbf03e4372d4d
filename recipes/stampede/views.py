"""The signals recipe's bookshop, and the middleware recipe's rendered books, guarded.

Writes anywhere bump the signals recipe's namespaces; the guard makes sure that the misses
that follow, and the expiries of popular entries, run each view once. The rendered books
expire by timeout only, as in the middleware recipe.
"""

from recipes.bookshop import views as bookshop
from recipes.middleware.response_cache import ResponseCacheMixin
from recipes.signals import views as signals

from .stampede_guard import (
    StampedeGuard,
    StampedeProtectedMixin,
    StampedeProtectedResponsesMixin,
)

guard = StampedeGuard("default", stale_for=30, lease=10, wait=10)


# --8<-- [start:views]
class BookViewSet(StampedeProtectedMixin, signals.BookViewSet):
    cache_name = "stampede-books"
    stampede_guard = guard
    cache_answers_early = False  # a hit is the guard's to judge: fresh, stale or gone


class AuthorViewSet(StampedeProtectedMixin, signals.AuthorViewSet):
    cache_name = "stampede-authors"
    stampede_guard = guard
    cache_answers_early = False  # a hit is the guard's to judge: fresh, stale or gone


class RenderedBookViewSet(
    StampedeProtectedResponsesMixin, ResponseCacheMixin, bookshop.BookViewSet
):
    """The middleware recipe's rendered responses (settings.RESPONSE_CACHE), guarded."""

    stampede_guard = guard
    cache_answers_early = False  # a hit is the guard's to judge: fresh, stale or gone


# --8<-- [end:views]

ReviewViewSet = bookshop.ReviewViewSet
