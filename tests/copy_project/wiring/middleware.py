"""articles/views.py, with the middleware recipe: ``response_cache.py`` beside it."""

# --8<-- [start:wiring]
from .base_views import ArticleViewSet as UncachedArticleViewSet
from .response_cache import ResponseCacheMixin


class ArticleViewSet(ResponseCacheMixin, UncachedArticleViewSet):
    """Cached as ``settings.RESPONSE_CACHE`` says (below)."""


# --8<-- [end:wiring]
