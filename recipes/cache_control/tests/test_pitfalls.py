"""The usual decorator, shown marking one user's page public."""

import pytest

from harness.testing import favorites_shown

NAIVE_BOOKS = "/books/"


# --8<-- [start:naive_public]
@pytest.mark.urls("recipes.cache_control.tests.naive")
def test_naive_decorator_marks_alices_favorites_public(api_client):
    response = api_client("alice-token").get(NAIVE_BOOKS)

    assert any(favorites_shown(response).values())  # built for alice...
    assert "public" in response["Cache-Control"]  # ...and any CDN may keep it
    assert "Cookie" not in response.get(
        "Vary", ""
    )  # token users: not even a cookie to key on


# --8<-- [end:naive_public]
