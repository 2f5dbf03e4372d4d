"""articles/views.py, with the cache_page recipe: ``cache_page_mixin.py`` beside it."""

# --8<-- [start:wiring]
# Your ViewSet as it is now, before any cache (here in base_views.py):
from .base_views import ArticleViewSet as UncachedArticleViewSet
from .cache_page_mixin import CachePageMixin


class ArticleViewSet(CachePageMixin, UncachedArticleViewSet):
    cache_timeouts = {"list": 60, "retrieve": 300}


# --8<-- [end:wiring]
