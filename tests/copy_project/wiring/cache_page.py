"""articles/views.py, with the cache_page recipe: ``caching.py`` copied beside it."""

from .base_views import ArticleViewSet as UncachedArticleViewSet
from .caching import CachePageMixin


# --8<-- [start:wiring]
class ArticleViewSet(CachePageMixin, UncachedArticleViewSet):
    cache_timeouts = {"list": 60, "retrieve": 300}


# --8<-- [end:wiring]
