"""Links name the request's own host.

The promises every response cache shares are checked in tests/test_contract.py.
"""

from harness.consistency import (
    assert_links_name_the_requests_own_host,
)

BOOKS = "/api/versioning/books/"


def test_pagination_links_name_the_requests_own_host(api_client):
    assert_links_name_the_requests_own_host(api_client, BOOKS)
