"""articles/views.py, with the cdn recipe: ``shared_cache.py`` and the tracked recipe's
``tracked_cache.py`` beside it."""

# --8<-- [start:wiring]
from .base_views import ArticleViewSet as UncachedArticleViewSet  # (1)!
from .shared_cache import XKEY, SharedCache, SharedCacheMixin
from .tracked_cache import collect

shared = SharedCache(collect, XKEY, max_age=300)  # (2)!


class ArticleViewSet(SharedCacheMixin, UncachedArticleViewSet):
    shared_cache = shared


# --8<-- [end:wiring]
