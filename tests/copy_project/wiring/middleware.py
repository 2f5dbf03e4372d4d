"""articles/views.py, with the middleware recipe: ``caching.py`` copied beside it."""

from .base_views import ArticleViewSet as UncachedArticleViewSet
from .caching import ResponseCacheMixin


# --8<-- [start:wiring]
class ArticleViewSet(ResponseCacheMixin, UncachedArticleViewSet):
    """Cached as ``settings.RESPONSE_CACHE`` says (below)."""


# --8<-- [end:wiring]
