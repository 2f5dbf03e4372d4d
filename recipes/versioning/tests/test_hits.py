"""Hits skip the view, and no caller is served another's entry."""

import itertools

import pytest

from recipes.bookshop.consistency import (
    WRITES,
    assert_hit_costs_only_authentication,
    assert_links_name_the_requests_own_host,
    assert_no_stale_read_after,
)
from recipes.bookshop.testing import (
    CLIENT_KINDS,
    favorites_owed,
    favorites_shown,
)

BOOKS = "/api/versioning/books/"


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_a_hit_runs_only_the_authentication_queries(api_client, kind):
    assert_hit_costs_only_authentication(api_client, BOOKS, kind)


def test_pagination_links_name_the_requests_own_host(api_client):
    assert_links_name_the_requests_own_host(api_client, BOOKS)


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
