"""Random API, ORM and raw SQL writes by several users never make a read differ from
the uncached API."""

import pytest
from django.db import connection
from hypothesis import strategies as st
from hypothesis.stateful import rule

from harness.consistency import BOOK_IDS, check_consistency
from recipes.bookshop.models import Author, Book
from recipes.signals.tests.test_properties import SignalsConsistency


class TrackedConsistency(SignalsConsistency):
    """The signals recipe's machine (API writes, bulk writes, m2m from both sides), with
    the writes no signal announces, on the tracked recipe."""

    slug = "tracked"

    @rule(book_id=BOOK_IDS, title=st.sampled_from(["A", "B"]))
    def raw_sql_update(self, book_id: int, title: str) -> None:
        def write() -> None:
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE bookshop_book SET title = %s WHERE id = %s",
                    [title, book_id],
                )

        self.orm_write(write)

    @rule(book_id=BOOK_IDS, author_id=st.sampled_from([1, 2]))
    def move_by_update(self, book_id: int, author_id: int) -> None:
        self.orm_write(
            lambda: Book.objects.filter(pk=book_id).update(author_id=author_id)
        )

    @rule(author_id=st.sampled_from([1, 2]), name=st.sampled_from(["N", "M"]))
    def rename_author(self, author_id: int, name: str) -> None:
        self.orm_write(lambda: Author.objects.filter(pk=author_id).update(name=name))


@pytest.mark.slow
def test_reads_always_match_the_uncached_api(bookshop):
    check_consistency(TrackedConsistency)
