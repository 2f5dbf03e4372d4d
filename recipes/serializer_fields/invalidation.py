"""Forget an author's cached fields when their books or reviews change, after commit."""

from functools import partial
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save

from recipes.bookshop.models import Book, Review
from recipes.versioned.signals import rows_changed

from .views import author_fields


# --8<-- [start:invalidation]
def forget(fields: tuple[str, ...], author_ids: set[int]) -> None:
    """Forget ``fields`` of these authors once the transaction commits."""
    for field in fields:
        transaction.on_commit(partial(author_fields.invalidate, field, author_ids))


BOTH = ("book_count", "average_rating")  # a book's reviews move with it


def remember_previous_author(sender: type, instance: Book, **kwargs: Any) -> None:
    """Keep the author a book had before this save: a move changes both counts."""
    previous = Book.objects.filter(pk=instance.pk).values_list("author_id", flat=True)
    instance._previous_author_id = previous.first() if instance.pk else None


def book_changed(sender: type, instance: Book, **kwargs: Any) -> None:
    previous = getattr(instance, "_previous_author_id", None)
    forget(BOTH, {instance.author_id} | ({previous} - {None}))


def review_changed(sender: type, instance: Review, **kwargs: Any) -> None:
    try:
        author_id = instance.book.author_id
    except Book.DoesNotExist:  # deleted with its book, by a concurrent request:
        return  # the book's own delete forgets its author's fields
    forget(("average_rating",), {author_id})


def rows_written(sender: type, rows: list, **kwargs: Any) -> None:
    if sender is Book:
        forget(BOTH, {book.author_id for book in rows})
    elif sender is Review:
        books = Book.objects.filter(pk__in={review.book_id for review in rows})
        forget(("average_rating",), set(books.values_list("author_id", flat=True)))


def connect_invalidation() -> None:
    uid = "serializer-fields"
    pre_save.connect(remember_previous_author, sender=Book, dispatch_uid=uid)
    for signal in (post_save, post_delete):
        signal.connect(book_changed, sender=Book, dispatch_uid=uid)
        signal.connect(review_changed, sender=Review, dispatch_uid=uid)
    rows_changed.connect(rows_written, dispatch_uid=uid)


# --8<-- [end:invalidation]
