"""The book API a month later: three fields added, and no cache declaration touched.

* ``review_count``, an ``annotate()`` aggregate over reviews;
* ``favorite_count``, a ``SerializerMethodField`` that runs its own query (every user's
  favourites, not only the caller's);
* ``author.latest_book``, a serializer nested two levels deep.

Each recipe's ViewSet is used as it is, with the grown serializer and queryset; served
under ``/grown/<recipe>/books/`` (``urls`` below), beside the same API uncached.
"""

from django.db.models import Count
from django.urls import include, path
from rest_framework import serializers

from harness.early_path import router_for
from recipes.bookshop import views as bookshop
from recipes.bookshop.models import Author, Book, Favorite
from recipes.bookshop.serializers import AuthorSerializer, BookSerializer
from recipes.manual_keys import views as manual_keys
from recipes.tracked import views as tracked
from recipes.versioning import views as versioning


# --8<-- [start:grown]
class BookTitleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Book
        fields = ["id", "title"]


class GrownAuthorSerializer(AuthorSerializer):
    latest_book = serializers.SerializerMethodField()

    class Meta(AuthorSerializer.Meta):
        fields = [*AuthorSerializer.Meta.fields, "latest_book"]

    def get_latest_book(self, author: Author) -> dict | None:
        latest = author.books.order_by("-published", "-id").first()
        return BookTitleSerializer(latest).data if latest else None


class GrownBookSerializer(BookSerializer):
    author = GrownAuthorSerializer(read_only=True)
    review_count = serializers.IntegerField(read_only=True)
    favorite_count = serializers.SerializerMethodField()

    class Meta(BookSerializer.Meta):
        fields = [*BookSerializer.Meta.fields, "review_count", "favorite_count"]

    def get_favorite_count(self, book: Book) -> int:
        return Favorite.objects.filter(book=book).count()


class Grown:
    """What the month added to a book ViewSet: its serializer and its queryset."""

    serializer_class = GrownBookSerializer

    def get_queryset(self):
        return super().get_queryset().annotate(review_count=Count("reviews"))


# --8<-- [end:grown]


class UncachedBooks(Grown, bookshop.BookViewSet):
    pass


class TrackedBooks(Grown, tracked.BookViewSet):
    cache_name = "grown-books"


class VersioningBooks(Grown, versioning.BookViewSet):
    cache_name = "grown-books"


class ManualKeysBooks(Grown, manual_keys.BookViewSet):
    cache_namespace = "grown-books"


VIEWSETS = {
    "uncached": UncachedBooks,
    "tracked": TrackedBooks,
    "versioning": VersioningBooks,
    "manual-keys": ManualKeysBooks,
}
urlpatterns = [
    path(f"grown/{name}/", include((router_for(viewset), name)))
    for name, viewset in VIEWSETS.items()
]
