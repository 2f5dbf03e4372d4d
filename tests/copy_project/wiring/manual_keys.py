"""articles/views.py, with the manual-keys recipe: ``tagged_cache.py`` beside it."""

# --8<-- [start:wiring]
from typing import Any

# Your ViewSet as it is now, before any cache (here in base_views.py):
from .base_views import ArticleViewSet as UncachedArticleViewSet
from .tagged_cache import CachedResponseMixin, TaggedCache, rows_in
from .models import Article


class ArticleViewSet(CachedResponseMixin, UncachedArticleViewSet):
    cache_namespace = "articles"
    cache_store = TaggedCache("default", name="articles")

    def cache_tags(self, action: str, data: Any) -> set[str]:
        rows = rows_in(data)  # a page's results, a plain list, or one object
        listed = {"articles:list"} if action == "list" else set()
        return {f"article:{row['id']}" for row in rows} | listed

    def perform_create(self, serializer: Any) -> None:
        super().perform_create(serializer)
        self.invalidate({"articles:list"})

    def perform_update(self, serializer: Any) -> None:
        super().perform_update(serializer)
        self.invalidate({f"article:{serializer.instance.pk}"})

    def perform_destroy(self, instance: Article) -> None:
        super().perform_destroy(instance)
        self.invalidate({"articles:list", f"article:{instance.pk}"})

    def perform_star_toggle(self, article: Article, user: Any) -> None:
        super().perform_star_toggle(article, user)
        self.invalidate({f"article:{article.pk}"})


# --8<-- [end:wiring]
