"""Random API and ORM writes by several users never make a read differ from uncached."""

import pytest
from django.contrib.auth import get_user_model
from django.test import TestCase
from hypothesis import strategies as st
from hypothesis.stateful import rule

from harness.consistency import BOOK_IDS, ConsistencyMachine, check_consistency
from recipes.bookshop.models import Book, Favorite, Review


class SignalsConsistency(ConsistencyMachine):
    slug = "signals"

    def orm_write(self, write) -> None:
        """Run an ORM write as if it committed, then read back as the API writers."""
        with TestCase.captureOnCommitCallbacks(execute=True):
            write()
        for writer in ("alice-token", "bob-session"):
            for path in self.read_back:
                self.compare(writer, path)

    @rule(book_id=BOOK_IDS, title=st.sampled_from(["A", "B"]))
    def queryset_update(self, book_id: int, title: str) -> None:
        self.orm_write(lambda: Book.objects.filter(pk=book_id).update(title=title))

    @rule(book_id=BOOK_IDS)
    def bulk_create_reviews(self, book_id: int) -> None:
        if Book.objects.filter(pk=book_id).exists():
            self.orm_write(
                lambda: Review.objects.bulk_create([Review(book_id=book_id, rating=2)])
            )

    @rule(book_id=BOOK_IDS, username=st.sampled_from(["alice", "bob"]))
    def m2m_toggle(self, book_id: int, username: str) -> None:
        book = Book.objects.filter(pk=book_id).first()
        user = get_user_model().objects.get(username=username)
        if book is None:
            return
        if Favorite.objects.filter(book=book, user=user).exists():
            self.orm_write(lambda: user.favorite_books.remove(book))
        else:
            self.orm_write(lambda: book.favorited_by.add(user))

    @rule(book_id=BOOK_IDS)
    def clear_favorites(self, book_id: int) -> None:
        book = Book.objects.filter(pk=book_id).first()
        if book is not None:
            self.orm_write(book.favorited_by.clear)


@pytest.mark.slow
def test_reads_always_match_the_uncached_api(bookshop):
    check_consistency(SignalsConsistency)
