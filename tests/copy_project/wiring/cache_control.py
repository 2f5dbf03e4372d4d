"""articles/views.py, with the cache-control recipe: ``cache_headers.py`` beside it."""

# --8<-- [start:wiring]
# Your ViewSet as it is now, before any cache (here in base_views.py):
from .base_views import ArticleViewSet as UncachedArticleViewSet
from .cache_headers import CacheControlMixin, CachePolicy


class ArticleViewSet(CacheControlMixin, UncachedArticleViewSet):
    cache_policies = {
        "list": CachePolicy(max_age=30, s_maxage=60, stale_while_revalidate=30),
        "retrieve": CachePolicy(max_age=60, s_maxage=300),
    }


# --8<-- [end:wiring]
