"""The bookshop API with ``CachePageMixin`` applied."""

from recipes.bookshop import views as bookshop

from .cache_page_mixin import CachePageMixin


# --8<-- [start:viewsets]
class BookViewSet(CachePageMixin, bookshop.BookViewSet):
    cache_timeouts = {"list": 60, "retrieve": 300}


class AuthorViewSet(CachePageMixin, bookshop.AuthorViewSet):
    cache_timeouts = {"list": 300, "retrieve": 300}


# --8<-- [end:viewsets]
