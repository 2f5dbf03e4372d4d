"""Hits skip the view; falsy values are hits; no caller gets another's entry."""

import pytest
from django.core.cache import cache

from harness.consistency import (
    assert_links_name_the_requests_own_host,
)
from harness.testing import (
    assert_reads_match_uncached,
    timing,
)
from recipes.manual_keys.tagged_cache import MISSING, TaggedCache

BOOKS = "/api/manual-keys/books/"


@pytest.mark.parametrize("path", [BOOKS, f"{BOOKS}3/", "/api/manual-keys/authors/"])
def test_cached_responses_equal_the_uncached_api(api_client, path):
    client = api_client("bob-session")
    client.get(path)
    assert_reads_match_uncached(client, [path])


# --8<-- [start:falsy]
@pytest.mark.parametrize("value", [[], {}, 0, "", None, False])
def test_falsy_values_are_hits(bookshop, value):
    store = TaggedCache()
    store.set("answer", value, tags={"t"}, timeout=60, seen=None)

    assert store.get("answer").value == value
    assert store.get("answer").value is not MISSING
    assert store.get("never-written").value is MISSING


# --8<-- [end:falsy]


def test_pagination_links_name_the_requests_own_host(api_client):
    assert_links_name_the_requests_own_host(api_client, BOOKS)


def test_errors_are_not_stored(api_client):
    assert api_client("anonymous").get(f"{BOOKS}999999/").status_code == 404
    assert cache.keys("{manual-keys}:entry:books.retrieve:*") == []


def test_a_timeout_longer_than_the_tags_live_is_refused(bookshop):
    with pytest.raises(ValueError, match="timeout must be between"):
        TaggedCache(max_timeout=60).set("k", 1, tags={"t"}, timeout=61, seen=None)


def test_a_hit_sends_its_script_by_sha_not_its_text(api_client, counted):
    """The script's text crosses the network once per server, when Redis does not know
    it yet; every later call names it by its SHA1."""
    client = api_client("alice-token")
    client.get(BOOKS)
    counted.restart()
    hit = client.get(BOOKS)
    assert timing(hit).cache == "hit"
    assert "EVALSHA" in counted.redis
    assert "EVAL" not in counted.redis
