"""articles/views.py, with the tracked recipe: ``tracked_cache.py`` beside it."""

# --8<-- [start:wiring]
from .base_views import ArticleViewSet as UncachedArticleViewSet  # (1)!
from .tracked_cache import TrackedCache, TrackedResponseMixin

store = TrackedCache("default", name="articles")


class ArticleViewSet(TrackedResponseMixin, UncachedArticleViewSet):
    cache_name = "articles"
    cache_store = store


# --8<-- [end:wiring]
