"""Only what a shared cache may store is stored (RFC 9111), and nothing that sets a cookie."""

import pytest
from django.core.cache import cache

from harness.testing import timing

pytestmark = pytest.mark.urls("recipes.middleware.tests.shaped")


@pytest.fixture(autouse=True)
def cache_shaped_responses(settings, bookshop) -> None:
    settings.RESPONSE_CACHE = {"TIMEOUTS": {"/shaped/": 60}}


def outcomes(client, query: str = "", **headers: str) -> list[str]:
    return [timing(client.get(f"/shaped/?{query}", **headers)).cache for _ in range(2)]


def test_a_plain_200_is_stored(api_client):
    assert outcomes(api_client("anonymous")) == ["miss", "hit"]


# --8<-- [start:refused]
@pytest.mark.parametrize(
    "query",
    [
        "cache_control=no-store",
        "cache_control=private",
        "cache_control=no-cache",
        "cache_control=max-age=0",
        "vary=*",
        "vary=Accept-Language",  # a header the key does not name
        "cookie=chocolate",
        "session=touched",
        "status=203",
        "status=404",
        "status=500",
    ],
)
@pytest.mark.parametrize("kind", ["anonymous", "alice-token", "bob-session"])
def test_responses_a_shared_cache_may_not_keep_are_not_stored(api_client, kind, query):
    assert outcomes(api_client(kind), query) == ["miss", "miss"]
    assert cache.keys("response:*") == []


# --8<-- [end:refused]


def test_a_request_that_says_no_store_bypasses_the_cache(api_client):
    client = api_client("anonymous")
    assert outcomes(client, HTTP_CACHE_CONTROL="no-store") == ["bypass", "bypass"]
    assert cache.keys("response:*") == []


# --8<-- [start:vary_on]
def test_a_header_named_in_vary_on_is_part_of_the_key(api_client, settings):
    settings.RESPONSE_CACHE = {
        "TIMEOUTS": {"/shaped/": 60},
        "VARY_ON": ["Accept-Language"],
    }
    client = api_client("anonymous")
    query = "vary=Accept-Language"
    client.get(f"/shaped/?{query}", HTTP_ACCEPT_LANGUAGE="fr")

    german = client.get(f"/shaped/?{query}", HTTP_ACCEPT_LANGUAGE="de")
    french = client.get(f"/shaped/?{query}", HTTP_ACCEPT_LANGUAGE="fr")

    assert (timing(german).cache, german.json()["language"]) == ("miss", "de")
    assert (timing(french).cache, french.json()["language"]) == ("hit", "fr")


# --8<-- [end:vary_on]
