"""The bookshop API, tagged for a shared cache: the tracked recipe collects what each
response read, and nothing is declared here."""

from typing import Any

from recipes.bookshop import views as bookshop
from recipes.tracked.tracked_cache import collect

from .shared_cache import XKEY, Purger, SharedCache, SharedCacheMixin, varnish_purge

# --8<-- [start:views]
shared = SharedCache(collect, XKEY, max_age=300, grace=10)


class BookViewSet(SharedCacheMixin, bookshop.BookViewSet):
    shared_cache = shared


class AuthorViewSet(SharedCacheMixin, bookshop.AuthorViewSet):
    shared_cache = shared


# --8<-- [end:views]

ReviewViewSet = bookshop.ReviewViewSet


# --8<-- [start:purger]
def purger_from_settings(options: dict[str, Any]) -> Purger | None:
    """The purger ``settings.SHARED_CACHE`` describes; ``None`` without a purge URL."""
    if not options.get("PURGE_URL"):
        return None
    send = varnish_purge(options["PURGE_URL"], soft=options.get("SOFT", False))
    return Purger(send, XKEY, delay=options.get("DELAY", 2.0))


# --8<-- [end:purger]
