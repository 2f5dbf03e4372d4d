"""What goes wrong with Last-Modified from ``updated_at``. These pass by showing it."""

import pytest

from recipes.bookshop.models import Book

pytestmark = pytest.mark.urls("recipes.conditional.tests.naive")


# --8<-- [start:naive_delete]
def test_naive_says_not_modified_after_a_delete(api_client):
    client = api_client("alice-token")
    kept = client.get("/books/")
    newest = Book.objects.order_by("-updated_at").first()
    client.delete(f"/books/{Book.objects.exclude(pk=newest.pk).first().pk}/")

    again = client.get("/books/", HTTP_IF_MODIFIED_SINCE=kept["Last-Modified"])

    assert again.status_code == 304  # the client keeps showing the deleted book
    assert client.get("/books/").json()["count"] == kept.json()["count"] - 1


# --8<-- [end:naive_delete]


def test_naive_says_not_modified_after_a_review_moves_an_average(api_client):
    client = api_client("alice-token")
    kept = client.get("/books/")

    client.post("/reviews/", {"book_id": 1, "rating": 1}, format="json")
    again = client.get("/books/", HTTP_IF_MODIFIED_SINCE=kept["Last-Modified"])

    assert again.status_code == 304
    assert client.get("/books/").json()["results"][0] != kept.json()["results"][0]
