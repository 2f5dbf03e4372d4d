"""Keys name everything the data depends on, and stay valid for any query string."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.cache.backends.base import memcache_key_warnings
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from harness.testing import timing
from recipes.manual_keys.tagged_cache import build_cache_key, rows_in
from recipes.manual_keys.tests.naive import make_cache_key

BOOKS = "/api/manual-keys/books/"


def drf_request(query="", *, host="testserver", user=None, renderer=JSONRenderer):
    request = Request(APIRequestFactory().get(f"/books/{query}", HTTP_HOST=host))
    request.user = user or AnonymousUser()
    request.accepted_renderer = renderer()
    request.accepted_media_type = renderer.media_type
    return request


def key_for(request, **options):
    options = {"url_kwargs": {}, "per_user": True} | options
    return build_cache_key("books.list", request, **options)


def assert_valid_for_every_backend(key):
    full_key = cache.make_key(key)
    assert list(memcache_key_warnings(full_key)) == []  # <= 250 bytes, printable ASCII
    assert full_key.isascii()
    assert " " not in full_key


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("?page=2", "?page=3"),
        ("?tag=a&tag=b", "?tag=b&tag=a"),  # a view may care about the order of values
        ("?page=1", ""),
        ("?a=1&b=2", "?a=1%26b%3D2"),
    ],
)
def test_requests_with_different_data_get_different_keys(first, second):
    assert key_for(drf_request(first)) != key_for(drf_request(second))


def test_parameter_order_does_not_split_the_cache():
    assert key_for(drf_request("?a=1&b=2")) == key_for(drf_request("?b=2&a=1"))


# --8<-- [start:key_parts]
@pytest.mark.django_db
def test_key_names_user_format_host_url_and_schema():
    alice = get_user_model()(pk=1, username="alice")
    base = key_for(drf_request("?page=2"))
    variants = [
        key_for(drf_request("?page=2", user=alice)),
        key_for(drf_request("?page=2", renderer=BrowsableAPIRenderer)),
        key_for(drf_request("?page=2", host="mirror.localhost")),
        key_for(drf_request("?page=2"), url_kwargs={"pk": "7"}),
        key_for(drf_request("?page=2"), schema_version=2),
    ]
    assert len({base, *variants}) == 6


# --8<-- [end:key_parts]


def test_concatenation_cannot_collide_keys_the_naive_builder_collides():
    user_1, user_11 = get_user_model()(pk=1), get_user_model()(pk=11)
    assert make_cache_key("books", 1, {"1": "x"}) == make_cache_key(
        "books", 11, {"": "x"}
    )

    assert key_for(drf_request("?1=x", user=user_1)) != key_for(
        drf_request("?=x", user=user_11)
    )


def test_a_namespace_a_backend_would_reject_is_refused_with_the_fix():
    with pytest.raises(ValueError, match="must be 1-64 of"):
        build_cache_key(
            "books list",
            drf_request(),
            url_kwargs={},
            per_user=False,
        )


# --8<-- [start:hostile]
@pytest.mark.parametrize(
    "query",
    [
        "?q=" + "x" * 20_000,  # very long
        "?q=%ff%fe%80&page=1",  # percent-escapes that are not UTF-8
        "?" + "&".join(f"p{n}={n}" for n in range(900)),  # many parameters
        "?q=%00%0a%20;DROP",  # control characters and spaces
    ],
)
def test_hostile_query_strings_get_a_response_and_a_valid_key(api_client, query):
    response = api_client("alice-token").get(BOOKS + query)

    assert response.status_code == 200
    [key] = cache.keys("{manual-keys}:entry:books.list:*")
    assert_valid_for_every_backend(key)


# --8<-- [end:hostile]


def test_thousands_of_parameters_get_a_400_with_a_message_and_no_entry(api_client):
    query = "?" + "&".join(f"p{n}={n}" for n in range(5_000))

    response = api_client("anonymous").get(BOOKS + query)

    assert response.status_code == 400
    assert "number of GET/POST parameters exceeded" in response.json()["detail"]
    assert timing(response).queries == 0
    assert cache.keys("{manual-keys}:entry:books.list:*") == []


@pytest.mark.parametrize(
    ("data", "rows"),
    [
        (
            {"count": 1, "results": [{"id": 1}]},
            [{"id": 1}],
        ),  # page numbers, limit/offset
        ([{"id": 1}, {"id": 2}], [{"id": 1}, {"id": 2}]),  # no pagination
        ({"id": 1, "results": "a field"}, [{"id": 1, "results": "a field"}]),  # one row
    ],
)
def test_rows_are_found_in_paginated_and_plain_lists(data, rows):
    assert rows_in(data) == rows
