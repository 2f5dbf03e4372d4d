"""Warming scripts found in the wild: entries no request reads, and a down cache 'warmed'."""

from django.core.cache import caches

from harness.testing import timing
from recipes.bookshop import sandbox
from recipes.warming.cache_warming import Target, warm

from .naive import warm_and_count_200s, warm_by_calling_views
from .test_warming import DOWN, PAGES


# --8<-- [start:by_calling_views_pitfall]
def test_views_called_with_request_factory_warm_entries_no_client_reads(
    bookshop, settings
):
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    warm_by_calling_views(PAGES)
    as_clients_ask = sandbox.client("anonymous")

    misses = [
        path
        for path in PAGES
        if timing(as_clients_ask.get(path, HTTP_HOST="localhost")).cache == "miss"
    ]

    assert misses == PAGES  # (1)!


def test_the_same_pages_warmed_as_a_client_asks_are_hits(bookshop):
    warm([Target(path, host="localhost") for path in PAGES], concurrency=1)
    as_clients_ask = sandbox.client("anonymous")

    assert {
        timing(as_clients_ask.get(path, HTTP_HOST="localhost")).cache for path in PAGES
    } == {"hit"}


# --8<-- [end:by_calling_views_pitfall]


# --8<-- [start:trusting_200_pitfall]
def test_counting_200s_calls_a_cache_that_is_down_warm(bookshop, settings):
    settings.CACHES = DOWN
    sandbox.collect_cache_errors()

    warmed = warm_and_count_200s(PAGES)

    assert warmed == len(PAGES)  # every page answered, from the database
    assert caches["default"].get_many(["anything"]) == {}  # and nothing was kept


# --8<-- [end:trusting_200_pitfall]
