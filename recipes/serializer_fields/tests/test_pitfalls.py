"""The naive per-row cache calls and its cached_property, shown failing."""

from recipes.bookshop.measuring import counting_cache_calls
from recipes.bookshop.models import Author, Book
from recipes.serializer_fields.tests import naive


# --8<-- [start:naive_round_trips]
def test_naive_fields_make_two_round_trips_per_row(bookshop):
    authors = [book.author for book in Book.objects.select_related("author")[:50]]

    with counting_cache_calls() as calls:
        serialized = naive.AuthorSerializer(authors, many=True).data

    assert len(serialized) == 50
    assert calls["get"] == 100  # 50 rows, 2 fields: 100 round trips, warm or cold


# --8<-- [end:naive_round_trips]


# --8<-- [start:naive_cached_property]
def test_cached_property_caches_nothing_across_requests(
    bookshop, monkeypatch, django_assert_num_queries
):
    naive.book_count.__set_name__(Author, "cached_book_count")
    monkeypatch.setattr(Author, "cached_book_count", naive.book_count, raising=False)
    first_request = Author.objects.get(pk=1)

    with django_assert_num_queries(1):  # request 1: computed once, then remembered...
        assert first_request.cached_book_count == first_request.cached_book_count
    with django_assert_num_queries(2):  # request 2: a new instance computes it again
        assert (
            Author.objects.get(pk=1).cached_book_count
            == first_request.cached_book_count
        )


# --8<-- [end:naive_cached_property]
