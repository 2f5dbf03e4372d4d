"""A page costs one aggregate query per field when cold, none when warm, and one or two
cache round trips either way."""

import pytest

from harness.testing import assert_reads_match_uncached, timing
from recipes.bookshop.measuring import counting_cache_calls

BOOKS = "/api/serializer-fields/books/"


@pytest.fixture
def round_trips():
    """Count the calls each cache method receives (the benchmark harness's counter)."""
    with counting_cache_calls() as calls:
        yield calls


# --8<-- [start:round_trips]
def test_a_page_costs_one_get_many_and_at_most_one_store(api_client, round_trips):
    client = api_client("anonymous")

    cold = client.get(BOOKS)
    assert dict(round_trips) == {"get_many": 1, "script": 1}  # the checked store

    round_trips.clear()
    warm = client.get(BOOKS)
    assert dict(round_trips) == {"get_many": 1}

    assert (timing(cold).cache, timing(warm).cache) == ("miss", "hit")
    assert timing(cold).queries == timing(warm).queries + 2  # one aggregate per field
    assert timing(warm).queries == 2  # the count and the page: no query per row


# --8<-- [end:round_trips]


def test_cached_fields_equal_the_uncached_api(api_client):
    client = api_client("bob-session")
    paths = [BOOKS, f"{BOOKS}?page=2", "/api/serializer-fields/authors/"]
    for path in paths:
        client.get(path)
    assert_reads_match_uncached(client, paths)


def test_a_cached_none_is_a_hit(api_client, round_trips):
    from recipes.bookshop.models import Review

    Review.objects.filter(book__author_id=1).delete()
    client = api_client("anonymous")
    assert (
        client.get("/api/serializer-fields/authors/1/").json()["average_rating"] is None
    )

    warm = client.get("/api/serializer-fields/authors/1/")

    assert timing(warm).cache == "hit"


def test_the_annotated_answer_needs_no_cache_and_gives_the_same_data(api_client):
    client = api_client("alice-token")
    annotated = client.get("/api/serializer-fields/books-annotated/")
    fresh = client.get("/api/uncached/books/")
    assert annotated.json()["results"] == fresh.json()["results"]
    assert timing(annotated).queries == 5  # auth, count, page, favourites, authors


@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_a_write_to_the_annotated_books_answers_with_the_annotated_fields(
    api_client, book, method
):
    path = "/api/serializer-fields/books-annotated/"
    payload = {
        "title": "Annotated",
        "author_id": book.author_id,
        "published": "2024-01-01",
        "price": "5.00",
    }
    target = path if method == "post" else f"{path}{book.pk}/"

    response = getattr(api_client("alice-token"), method)(
        target, payload, format="json"
    )

    assert response.status_code in (200, 201)
    shown = api_client("alice-token").get(f"{path}{response.json()['id']}/").json()
    assert response.json()["author"] == shown["author"]
