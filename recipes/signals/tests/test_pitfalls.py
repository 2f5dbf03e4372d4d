"""The naive receivers, shown serving stale data: these tests pass by demonstrating it."""

import pytest

from recipes.bookshop.models import Book

NAIVE_BOOKS = "/books/"


# --8<-- [start:naive_update]
@pytest.mark.urls("recipes.signals.tests.naive")
def test_naive_receivers_miss_queryset_update(
    api_client, django_capture_on_commit_callbacks
):
    client = api_client("anonymous")
    first_title = client.get(NAIVE_BOOKS).json()["results"][0]["title"]

    with django_capture_on_commit_callbacks(execute=True):
        Book.objects.filter(pk=1).update(title="Renamed in bulk")  # sends no post_save

    assert client.get(NAIVE_BOOKS).json()["results"][0]["title"] == first_title


# --8<-- [end:naive_update]


@pytest.mark.urls("recipes.signals.tests.naive")
def test_naive_receivers_miss_changes_to_the_author(api_client):
    client = api_client("anonymous")
    client.get(NAIVE_BOOKS)
    first = Book.objects.get(pk=1)

    first.author.name = "Renamed author"
    first.author.save()  # an Author, not a Book: no receiver

    shown = client.get(NAIVE_BOOKS).json()["results"][0]["author"]["name"]
    assert shown != "Renamed author"
