"""articles/views.py, with the serializer-fields recipe: ``cached_fields.py`` beside it."""

# --8<-- [start:wiring]
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Count
from rest_framework import serializers

# Your ViewSet as it is now, before any cache (here in base_views.py):
from .base_views import ArticleViewSet as UncachedArticleViewSet
from .cached_fields import CachedFieldsViewMixin, RowFieldCache, cached_field_value
from .models import Article
from .serializers import ArticleSerializer


def count_stars(article_ids: list[Any]) -> dict[Any, int]:
    """Return how many users starred each article, in one query."""
    stars = Article.starred_by.through.objects.filter(article__in=article_ids)
    counts = dict(stars.values_list("article").annotate(n=Count("id")).order_by())
    return {pk: counts.get(pk, 0) for pk in article_ids}


article_fields = RowFieldCache("article", {"star_count": count_stars})


class CountedArticleSerializer(ArticleSerializer):
    star_count = serializers.SerializerMethodField()

    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "star_count"]

    def get_star_count(self, article: Article) -> int:
        compute = article.starred_by.count
        return cached_field_value(self.context, "star_count", article.pk, compute)


class ArticleViewSet(CachedFieldsViewMixin, UncachedArticleViewSet):
    serializer_class = CountedArticleSerializer
    row_field_cache = article_fields

    def perform_star_toggle(self, article: Article, user: Any) -> None:
        super().perform_star_toggle(article, user)
        forget = partial(article_fields.invalidate, "star_count", [article.pk])
        transaction.on_commit(forget)


# --8<-- [end:wiring]
