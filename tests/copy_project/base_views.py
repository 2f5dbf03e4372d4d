"""The project's own API, before any cache: what a reader already has."""

from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .models import Article
from .serializers import ArticleSerializer


class ArticleViewSet(viewsets.ModelViewSet):
    queryset = Article.objects.prefetch_related("tags")
    serializer_class = ArticleSerializer
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    @action(
        detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated]
    )
    def star(self, request, pk=None):
        """Star or unstar this article for the caller."""
        article = self.get_object()
        self.perform_star_toggle(article, request.user)
        return Response(self.get_serializer(article).data)

    def perform_star_toggle(self, article: Article, user) -> None:
        if article.starred_by.filter(pk=user.pk).exists():
            article.starred_by.remove(user)
        else:
            article.starred_by.add(user)
