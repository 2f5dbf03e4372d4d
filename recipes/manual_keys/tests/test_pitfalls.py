"""The seed's two bugs, shown failing: these tests pass by demonstrating them."""

import pytest
from django.core.cache import cache

from recipes.manual_keys.tests.naive import get_or_compute

NAIVE_BOOKS = "/books/"
NEW_BOOK = {
    "title": "Fresh",
    "author_id": 1,
    "published": "2024-01-01",
    "price": "5.00",
}


# --8<-- [start:naive_stale]
@pytest.mark.urls("recipes.manual_keys.tests.naive")
def test_naive_invalidation_deletes_keys_it_never_wrote(api_client):
    client = api_client("alice-token")
    before = client.get(NAIVE_BOOKS).json()["count"]

    client.post(NAIVE_BOOKS, NEW_BOOK, format="json")

    assert client.get(NAIVE_BOOKS).json()["count"] == before  # the new book is missing
    assert not any(key.startswith("book_list_page") for key in cache.keys("*"))


# --8<-- [end:naive_stale]


# --8<-- [start:naive_falsy]
def test_naive_reads_a_cached_empty_list_as_a_miss(bookshop):
    computed = []

    def no_results():
        computed.append(1)
        return []

    for _ in range(3):
        assert get_or_compute("empty-search", no_results) == []

    assert len(computed) == 3  # every "hit" recomputed


# --8<-- [end:naive_falsy]
