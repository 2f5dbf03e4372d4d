import pytest

from recipes.bookshop.models import Book, Favorite


@pytest.fixture
def book(bookshop: None) -> Book:
    """A book alice has marked as a favourite and bob has not."""
    book_id = (
        Favorite.objects.filter(user__username="alice").order_by("book_id")[0].book_id
    )
    return Book.objects.get(pk=book_id)
