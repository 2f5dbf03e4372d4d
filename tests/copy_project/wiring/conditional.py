"""articles/views.py, with the conditional recipe: the ``versioned/`` folder beside it, and
the signals recipe's receivers (``signals_views.py``) bumping its namespaces."""

# --8<-- [start:wiring]
from rest_framework.request import Request

# Your ViewSet as it is now, before any cache (here in base_views.py):
from .base_views import ArticleViewSet as UncachedArticleViewSet

# The signals recipe's receivers, as its page wires them (here in signals_views.py):
from .signals_views import connect_invalidation as connect_signals
from .versioned.conditional import ConditionalMixin, TimedNamespaces

namespaces = TimedNamespaces("default", prefix="conditional")


class ArticleViewSet(ConditionalMixin, UncachedArticleViewSet):
    conditional_store = namespaces

    def conditional_namespaces(self, request: Request) -> set[str]:
        user = request.user
        return {"articles"} | ({f"stars:{user.pk}"} if user.is_authenticated else set())


def connect_invalidation() -> None:
    """Bump these namespaces on every write, as the signals recipe does (``ready()``)."""
    connect_signals(namespaces)


# --8<-- [end:wiring]
