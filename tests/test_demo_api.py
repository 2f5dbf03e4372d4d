"""The demo API's shared endpoints, through Django's test client."""

import re

import pytest

from harness.testing import timing
from recipes.bookshop.server_timing import parse_server_timing


def test_recipe_index_lists_every_recipe_with_its_endpoints(api_client):
    response = api_client("anonymous").get("/api/recipes/")

    assert response.status_code == 200
    for recipe in response.json():
        assert set(recipe) == {"slug", "title", "endpoints"}
        assert all(
            path == f"/api/{recipe['slug']}/{name}/"
            for name, path in recipe["endpoints"].items()
        )


def test_token_endpoint_exchanges_demo_credentials_for_a_token(api_client):
    response = api_client("anonymous").post(
        "/api/token/", {"username": "bob", "password": "cookbook"}, format="json"
    )

    assert response.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{40}", response.json()["token"])


def test_token_endpoint_rejects_missing_fields_with_a_message(api_client):
    response = api_client("anonymous").post(
        "/api/token/", {"username": "bob"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"password": ["This field is required."]}


def test_schema_is_openapi_3(api_client):
    response = api_client("anonymous").get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


@pytest.mark.parametrize("path", ["/api/recipes/", "/api/schema/", "/api/nowhere/"])
def test_every_response_reports_server_timing(api_client, path):
    response = api_client("anonymous").get(path)

    assert timing(response).cache == "bypass"
    assert set(parse_server_timing(response["Server-Timing"])) == {"cache", "db"}


def test_server_timing_counts_the_queries_of_the_request(
    api_client, django_assert_num_queries
):
    client = api_client("alice-token")
    client.get("/api/auth-cache/me/")  # known from now on: authenticated from the cache
    with django_assert_num_queries(
        timing(client.get("/api/cache-page/books/1/")).queries
    ):
        client.get("/api/cache-page/books/2/")
