"""The uncached bookshop API. Each recipe subclasses these ViewSets and adds its caching."""

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from .models import Author, Book, Favorite
from .serializers import AuthorSerializer, BookSerializer


class BookViewSet(viewsets.ModelViewSet):
    """Books: list, retrieve, create, update, partial update, delete, and favourite toggling."""

    queryset = Book.objects.select_related("author").order_by("id")
    serializer_class = BookSerializer

    @extend_schema(request=None, responses=BookSerializer)
    @action(
        detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated]
    )
    def favorite(self, request: Request, pk: str | None = None) -> Response:
        """Toggle the requesting user's favourite on this book and return the book."""
        book = self.get_object()
        with transaction.atomic():
            removed, _ = Favorite.objects.filter(user=request.user, book=book).delete()
            if not removed:
                Favorite.objects.create(user=request.user, book=book)
        return Response(self.get_serializer(book).data)


class AuthorViewSet(viewsets.ReadOnlyModelViewSet):
    """Authors with their book count and average rating."""

    queryset = Author.objects.order_by("id")
    serializer_class = AuthorSerializer
