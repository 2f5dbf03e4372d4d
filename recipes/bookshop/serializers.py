"""Serializers as a real API has them, and as expensive.

A book nests its author, and the author carries ``book_count`` and ``average_rating``, each
one query per row: an uncached list page is an honest N+1 (about two queries per book). Every
book also says whether the requesting user marked it a favourite, so a book list differs from
one user to the next: the property that makes caching it dangerous.
"""

from django.db.models import Avg
from rest_framework import serializers

from .models import Author, Book, Favorite, Review


class AuthorSerializer(serializers.ModelSerializer):
    book_count = serializers.SerializerMethodField()
    average_rating = serializers.SerializerMethodField()

    class Meta:
        model = Author
        fields = ["id", "name", "book_count", "average_rating"]

    def get_book_count(self, author: Author) -> int:
        return author.books.count()

    def get_average_rating(self, author: Author) -> float | None:
        average = Review.objects.filter(book__author=author).aggregate(
            value=Avg("rating")
        )
        return None if average["value"] is None else round(average["value"], 2)


class BookSerializer(serializers.ModelSerializer):
    author = AuthorSerializer(read_only=True)
    author_id = serializers.PrimaryKeyRelatedField(
        source="author", queryset=Author.objects.all(), write_only=True
    )
    is_favorite = serializers.SerializerMethodField()

    class Meta:
        model = Book
        fields = [
            "id",
            "title",
            "author",
            "author_id",
            "published",
            "price",
            "is_favorite",
        ]

    def get_is_favorite(self, book: Book) -> bool:
        return book.pk in self._favorite_ids()

    def _favorite_ids(self) -> frozenset[int]:
        """Load the requesting user's favourite book ids once per serializer context."""
        if "favorite_ids" not in self.context:
            request = self.context.get("request")
            user = getattr(request, "user", None)
            ids: frozenset[int] = frozenset()
            if user is not None and user.is_authenticated:
                ids = frozenset(
                    Favorite.objects.filter(user=user).values_list("book_id", flat=True)
                )
            self.context["favorite_ids"] = ids
        return self.context["favorite_ids"]


class ReviewSerializer(serializers.ModelSerializer):
    book_id = serializers.PrimaryKeyRelatedField(
        source="book", queryset=Book.objects.all()
    )

    class Meta:
        model = Review
        fields = ["id", "book_id", "rating", "body"]
