"""articles/views.py, with the middleware recipe: ``response_cache.py`` beside it."""

# --8<-- [start:wiring]
# Your ViewSet as it is now, before any cache (here in base_views.py):
from .base_views import ArticleViewSet as UncachedArticleViewSet
from .response_cache import ResponseCacheMixin


class ArticleViewSet(ResponseCacheMixin, UncachedArticleViewSet):
    """Cached as ``settings.RESPONSE_CACHE`` says (below)."""


# --8<-- [end:wiring]
