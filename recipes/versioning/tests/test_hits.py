"""Hits skip the view, and no caller is served another's entry."""

import itertools

import pytest

from recipes.bookshop.consistency import WRITES, assert_no_stale_read_after
from recipes.bookshop.testing import (
    CLIENT_KINDS,
    favorites_owed,
    favorites_shown,
    timing,
)

BOOKS = "/api/versioning/books/"


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_a_hit_runs_only_the_authentication_queries(api_client, kind):
    client = api_client(kind)
    miss = client.get(BOOKS)
    hit = client.get(BOOKS)
    assert (timing(miss).cache, timing(hit).cache) == ("miss", "hit")
    assert (
        timing(hit).queries
        == {"anonymous": 0, "token": 1, "session": 2}[kind.rpartition("-")[2]]
    )


@pytest.mark.parametrize(
    ("first", "second"), list(itertools.permutations(CLIENT_KINDS, 2))
)
def test_no_client_is_served_another_clients_favorites(api_client, first, second):
    api_client(first).get(BOOKS)
    shown = favorites_shown(api_client(second).get(BOOKS))
    assert shown == favorites_owed(second, shown)


@pytest.mark.parametrize(("method", "path", "payload"), WRITES)
def test_no_read_after_a_write_is_stale(api_client, book, method, path, payload):
    assert_no_stale_read_after(api_client, "versioning", book, method, path, payload)
