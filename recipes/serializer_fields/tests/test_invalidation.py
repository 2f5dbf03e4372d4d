"""Every change to books or reviews reaches the cached fields, from the API or the ORM."""

import pytest
from django.db.models.signals import post_delete

from harness.testing import assert_reads_match_uncached
from recipes.bookshop.models import Book, Review
from recipes.serializer_fields.cached_fields import RowFieldCache

API = "/api/serializer-fields/"
NEW_BOOK = {
    "title": "Fresh",
    "author_id": 1,
    "published": "2024-01-01",
    "price": "5.00",
}


def reads(book):
    return [
        f"{API}books/",
        f"{API}books/{book.pk}/",
        f"{API}authors/",
        f"{API}authors/{book.author_id}/",
        f"{API}authors/9/",
    ]


# --8<-- [start:writes]
WRITES = {
    "review-create": lambda c, b: c.post(
        f"{API}reviews/", {"book_id": b.pk, "rating": 1}
    ),
    "review-delete": lambda c, b: c.delete(f"{API}reviews/{b.reviews.first().pk}/"),
    "book-create": lambda c, b: c.post(f"{API}books/", NEW_BOOK, format="json"),
    "book-delete": lambda c, b: c.delete(f"{API}books/{b.pk}/"),
    "book-move": lambda c, b: c.patch(
        f"{API}books/{b.pk}/", {"author_id": 9}, format="json"
    ),
    "orm-update": lambda c, b: Book.objects.filter(pk=b.pk).update(author_id=9),
    "orm-bulk-reviews": lambda c, b: Review.objects.bulk_create(
        [Review(book=b, rating=5)]
    ),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_no_field_is_stale_after_a_write(
    api_client, book, write, django_capture_on_commit_callbacks
):
    client = api_client("alice-token")
    paths = reads(book)
    for path in paths:
        client.get(path)

    with django_capture_on_commit_callbacks(execute=True):
        write(client, book)

    assert_reads_match_uncached(client, paths)


# --8<-- [end:writes]


# --8<-- [start:race]
def test_a_value_computed_before_a_write_is_not_stored(bookshop):
    writes_during_the_read = [lambda: fields.invalidate("count", [7])]

    def count(pks):
        counted = {pk: 1 for pk in pks}  # the rows as they were before the write
        while writes_during_the_read:
            writes_during_the_read.pop()()  # the write commits and invalidates
        return counted

    fields = RowFieldCache("race", {"count": count})
    fields.get_many([7, 8])

    _, missed = fields.get_many([7, 8])
    assert missed == 1  # 7 was refused and computed again; 8 was stored


# --8<-- [end:race]


def test_a_review_whose_book_is_already_gone_does_not_fail_the_write(bookshop):
    """Two requests deleting one book: the later one deletes reviews it collected before
    the earlier one committed, and their book no longer exists."""
    orphan = Review(pk=1, book_id=999_999, rating=1)

    post_delete.send(sender=Review, instance=orphan, using="default", origin=orphan)
