"""articles/views.py, with the signals recipe: the ``versioned/`` folder beside it."""

# --8<-- [start:wiring]
from typing import Any

from django.contrib.auth import get_user_model
from rest_framework.request import Request

# Your ViewSet as it is now, before any cache (here in base_views.py):
from .base_views import ArticleViewSet as UncachedArticleViewSet
from .models import Article
from .serializers import ArticleSerializer
from .versioned.early import AnsweredEarlyMixin
from .versioned.namespaces import Namespaces, VersionedResponseMixin
from .versioned.signals import ModelInvalidator

namespaces = Namespaces("default")


class ArticleViewSet(
    AnsweredEarlyMixin, VersionedResponseMixin, UncachedArticleViewSet
):
    """Reads only: no ``perform_*`` hook knows about the cache."""

    cache_name = "articles"
    cache_namespaces_store = namespaces

    def cache_namespaces(self, request: Request, action: str) -> set[str]:
        user = request.user
        return {"articles"} | ({f"stars:{user.pk}"} if user.is_authenticated else set())


def connect_invalidation(store: Namespaces = namespaces) -> None:
    """Name the namespaces each write touches (called from ``AppConfig.ready``)."""
    invalidator = ModelInvalidator(store)
    invalidator.watch_serializer(ArticleSerializer, {"articles"})  # (1)!
    invalidator.watch_m2m(Article.starred_by.through, stars_changed)  # (2)!


def stars_changed(instance: Any, related_pks: Any) -> set[str]:
    """Name the users whose stars changed, whichever side the change was made from."""
    if isinstance(instance, get_user_model()):
        return {f"stars:{instance.pk}"}
    return {f"stars:{pk}" for pk in related_pks}


# --8<-- [end:wiring]
