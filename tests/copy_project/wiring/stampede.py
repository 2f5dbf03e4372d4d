"""articles/views.py, with the stampede recipe: ``stampede_guard.py`` beside it, guarding the
versioning recipe's ViewSet (``versioning_views.py``, with the ``versioned/`` folder)."""

# --8<-- [start:wiring]
from .stampede_guard import StampedeGuard, StampedeProtectedMixin

# The versioning recipe's ViewSet, as its page wires it (here in versioning_views.py):
from .versioning_views import ArticleViewSet as VersionedArticleViewSet


class ArticleViewSet(StampedeProtectedMixin, VersionedArticleViewSet):
    stampede_guard = StampedeGuard("default", stale_for=30, lease=10, wait=10)
    cache_answers_early = False  # a hit is the guard's to judge: fresh, stale or gone


# --8<-- [end:wiring]
