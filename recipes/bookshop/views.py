"""The uncached bookshop API. Each recipe subclasses these ViewSets and adds its caching."""

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from .models import Author, Book, Favorite, Review
from .serializers import AuthorSerializer, BookSerializer, ReviewSerializer


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
        self.perform_favorite_toggle(book, request.user)
        return Response(self.get_serializer(book).data)

    def perform_favorite_toggle(self, book: Book, user: object) -> None:
        """Add ``book`` to ``user``'s favourites, or remove it: the hook recipes extend."""
        with transaction.atomic():
            removed, _ = Favorite.objects.filter(user=user, book=book).delete()
            if not removed:
                Favorite.objects.create(user=user, book=book)


class AuthorViewSet(viewsets.ReadOnlyModelViewSet):
    """Authors with their book count and average rating."""

    queryset = Author.objects.order_by("id")
    serializer_class = AuthorSerializer


class ReviewViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Reviews: each one moves its book's author's ``average_rating``."""

    queryset = Review.objects.order_by("id")
    serializer_class = ReviewSerializer
