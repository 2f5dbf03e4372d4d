"""The bookshop with its authors' expensive fields cached per row, and the annotate() answer."""

from functools import partial
from typing import Any

from django.db.models import Avg, Count, Prefetch

from recipes.bookshop import serializers as shop
from recipes.bookshop import views as bookshop
from recipes.bookshop.models import Author, Book, Review

from .cached_fields import CachedFieldsViewMixin, RowFieldCache, cached_field_value


# --8<-- [start:fields]
def count_books(author_ids: list[int]) -> dict[int, int]:
    """Return each author's number of books, in one query."""
    counts = dict(
        Book.objects.filter(author__in=author_ids)
        .values_list("author")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {pk: counts.get(pk, 0) for pk in author_ids}


def average_ratings(author_ids: list[int]) -> dict[int, float | None]:
    """Return each author's average rating (None without reviews), in one query."""
    averages = dict(
        Review.objects.filter(book__author__in=author_ids)
        .values_list("book__author")
        .annotate(avg=Avg("rating"))
        .order_by()
    )
    return {
        pk: None if pk not in averages else round(averages[pk], 2) for pk in author_ids
    }


author_fields = RowFieldCache(
    "author", {"book_count": count_books, "average_rating": average_ratings}
)
# --8<-- [end:fields]


# --8<-- [start:serializers]
class AuthorSerializer(shop.AuthorSerializer):
    def get_book_count(self, author: Author) -> int:
        compute = partial(super().get_book_count, author)
        return cached_field_value(self.context, "book_count", author.pk, compute)

    def get_average_rating(self, author: Author) -> float | None:
        compute = partial(super().get_average_rating, author)
        return cached_field_value(self.context, "average_rating", author.pk, compute)


class BookSerializer(shop.BookSerializer):
    author = AuthorSerializer(read_only=True)


class BookViewSet(CachedFieldsViewMixin, bookshop.BookViewSet):
    serializer_class = BookSerializer
    row_field_cache = author_fields

    def rows_with_cached_fields(self, books: list[Book]) -> list[int]:
        return [book.author_id for book in books]


class AuthorViewSet(CachedFieldsViewMixin, bookshop.AuthorViewSet):
    serializer_class = AuthorSerializer
    row_field_cache = author_fields


# --8<-- [end:serializers]


# --8<-- [start:annotated]
class AnnotatedAuthorSerializer(shop.AuthorSerializer):
    def get_book_count(self, author: Author) -> int:
        return author.annotated_book_count

    def get_average_rating(self, author: Author) -> float | None:
        average = author.annotated_average_rating
        return None if average is None else round(average, 2)


class AnnotatedBookSerializer(shop.BookSerializer):
    author = AnnotatedAuthorSerializer(read_only=True)


class AnnotatedBookViewSet(bookshop.BookViewSet):
    """No cache: the page's authors loaded once, with both fields computed by the database."""

    serializer_class = AnnotatedBookSerializer
    queryset = Book.objects.order_by("id").prefetch_related(
        Prefetch(
            "author",
            queryset=Author.objects.annotate(
                annotated_book_count=Count("books", distinct=True),
                annotated_average_rating=Avg("books__reviews__rating"),
            ),
        )
    )

    def perform_create(self, serializer: Any) -> None:
        super().perform_create(serializer)
        self.reload_annotated(serializer)

    def perform_update(self, serializer: Any) -> None:
        super().perform_update(serializer)
        self.reload_annotated(serializer)

    def reload_annotated(self, serializer: Any) -> None:
        """Answer a write with the book as a read shows it: its author annotated."""
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)


# --8<-- [end:annotated]
