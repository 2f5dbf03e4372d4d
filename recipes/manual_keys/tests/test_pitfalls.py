"""The naive version's two bugs, shown failing: these tests pass by demonstrating them."""

import pytest
from django.core.cache import cache

from harness.testing import read_both, timing
from recipes.manual_keys import views
from recipes.manual_keys.tests.naive import UncheckedTaggedCache, get_or_compute
from recipes.manual_keys.tests.race import write_while_the_next_read_computes

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


# --8<-- [start:naive_race]
def test_an_unchecked_store_keeps_what_a_read_loaded_before_a_write(
    api_client, book, monkeypatch
):
    monkeypatch.setattr(
        views.BookViewSet,
        "cache_store",
        UncheckedTaggedCache("default", name="manual-keys"),
    )
    alice, bob = api_client("alice-token"), api_client("bob-token")
    path = f"/api/manual-keys/books/{book.pk}/"
    rename = {"title": "Renamed while bob's read computed"}
    write_while_the_next_read_computes(monkeypatch, lambda: alice.patch(path, rename))

    bob.get(path)  # loads the old title; alice's write commits and invalidates; stored

    (_, cached), (_, fresh) = read_both(bob, path)
    assert timing(bob.get(path)).cache == "hit"
    assert cached["title"] == book.title  # stale until the entry expires
    assert fresh["title"] == rename["title"]


# --8<-- [end:naive_race]
