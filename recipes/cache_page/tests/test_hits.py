"""A repeated read is served from the cache without touching the database."""

import re

import pytest
from django.core.cache import cache

from harness.testing import timing

BOOKS = "/api/cache-page/books/"
AUTHORS = "/api/cache-page/authors/"


def page_cache_entries() -> list[str]:
    return cache.keys("views.decorators.cache.cache_page.*")


@pytest.mark.parametrize(
    ("path", "seconds"),
    [(BOOKS, 60), (f"{BOOKS}1/", 300), (AUTHORS, 300), (f"{AUTHORS}1/", 300)],
)
def test_each_action_is_stored_for_its_own_timeout(api_client, path, seconds):
    response = api_client("anonymous").get(path)

    assert f"max-age={seconds}" in response["Cache-Control"]
    [entry] = page_cache_entries()
    assert seconds - 5 < cache.ttl(entry) <= seconds


def test_head_is_answered_from_the_get_entry(api_client, django_assert_num_queries):
    client = api_client("bob-token")
    client.get(BOOKS)
    with django_assert_num_queries(0):
        head = client.head(BOOKS)
    assert head.status_code == 200
    assert timing(head).cache == "hit"


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        (
            "post",
            BOOKS,
            {"title": "New", "author_id": 1, "published": "2020-01-01", "price": "9"},
        ),
        ("patch", f"{BOOKS}1/", {"title": "Renamed"}),
        (
            "put",
            f"{BOOKS}1/",
            {
                "title": "Put",
                "author_id": 2,
                "published": "2020-01-01",
                "price": "9.50",
            },
        ),
        ("delete", f"{BOOKS}2/", None),
        ("post", f"{BOOKS}1/favorite/", None),
    ],
)
def test_writes_bypass_the_cache_and_store_nothing(api_client, method, path, payload):
    response = getattr(api_client("alice-token"), method)(path, payload, format="json")

    assert response.status_code < 300
    assert timing(response).cache == "bypass"
    assert page_cache_entries() == []


def test_error_responses_are_never_stored(api_client):
    client = api_client("anonymous")
    for _ in range(2):
        missing = client.get(f"{BOOKS}999999/")
        assert missing.status_code == 404
        assert timing(missing).cache == "miss"
    assert not any(re.search(r"cache_page\.\.GET", key) for key in page_cache_entries())


@pytest.mark.parametrize("kind", ["anonymous", "alice-token", "alice-session"])
def test_browsers_and_shared_caches_are_told_to_revalidate(api_client, kind):
    client = api_client(kind)
    for expected in ("miss", "hit"):
        response = client.get(BOOKS)
        assert timing(response).cache == expected
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"private", "no-cache"} <= directives
