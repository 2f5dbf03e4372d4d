"""articles/views.py, with the async-cache recipe: ``async_hits.py`` and the tracked
recipe's files beside it."""

# --8<-- [start:wiring]
from .async_hits import AsyncHitsMixin, AsyncReader
from .base_views import ArticleViewSet as UncachedArticleViewSet  # (1)!
from .tracked_cache import TrackedCache, TrackedResponseMixin

store = TrackedCache("default", name="articles")


class ArticleViewSet(AsyncHitsMixin, TrackedResponseMixin, UncachedArticleViewSet):
    cache_name = "articles"
    cache_store = store
    async_reader = AsyncReader("default")  # (2)!


# --8<-- [end:wiring]
