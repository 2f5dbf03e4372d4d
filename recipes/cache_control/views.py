"""The bookshop API with a Cache-Control policy per action."""

from recipes.bookshop import views as bookshop

from .cache_headers import CacheControlMixin, CachePolicy


# --8<-- [start:viewsets]
class BookViewSet(CacheControlMixin, bookshop.BookViewSet):
    cache_policies = {
        "list": CachePolicy(
            max_age=30, s_maxage=60, stale_while_revalidate=30, stale_if_error=600
        ),
        "retrieve": CachePolicy(max_age=60, s_maxage=300, stale_if_error=3600),
    }


class AuthorViewSet(CacheControlMixin, bookshop.AuthorViewSet):
    cache_policies = {
        "list": CachePolicy(max_age=300, s_maxage=3600),
        "retrieve": CachePolicy(max_age=300, s_maxage=3600),
    }


# --8<-- [end:viewsets]
