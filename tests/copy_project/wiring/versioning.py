"""articles/views.py, with the versioning recipe: the ``versioned/`` folder beside it."""

# --8<-- [start:wiring]
from typing import Any

from rest_framework.request import Request

# Your ViewSet as it is now, before any cache (here in base_views.py):
from .base_views import ArticleViewSet as UncachedArticleViewSet
from .versioned.early import AnsweredEarlyMixin
from .versioned.namespaces import Namespaces, VersionedResponseMixin
from .models import Article

namespaces = Namespaces("default")


class ArticleViewSet(
    AnsweredEarlyMixin, VersionedResponseMixin, UncachedArticleViewSet
):
    cache_name = "articles"
    cache_namespaces_store = namespaces

    def cache_namespaces(self, request: Request, action: str) -> set[str]:
        user = request.user
        return {"articles"} | ({f"stars:{user.pk}"} if user.is_authenticated else set())

    def perform_create(self, serializer: Any) -> None:
        super().perform_create(serializer)
        namespaces.bump_on_commit({"articles"})

    def perform_update(self, serializer: Any) -> None:
        super().perform_update(serializer)
        namespaces.bump_on_commit({"articles"})

    def perform_destroy(self, instance: Article) -> None:
        super().perform_destroy(instance)
        namespaces.bump_on_commit({"articles"})

    def perform_star_toggle(self, article: Article, user: Any) -> None:
        super().perform_star_toggle(article, user)
        namespaces.bump_on_commit({f"stars:{user.pk}"})


# --8<-- [end:wiring]
