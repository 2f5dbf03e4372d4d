"""What the recipes that cache responses promise in common, stated once and checked for each.

No caller is ever served another caller's data; a hit costs what the recipe's page says
(nothing, or only what authentication costs); and, for the recipes that invalidate, no read
after a write through the API is stale. The promises page (``docs/promises.md``) embeds
these tests and the table; what is particular to a recipe stays in its own tests.
"""

import itertools
from dataclasses import dataclass

import pytest
from asgiref.sync import async_to_sync

from harness.consistency import WRITES, assert_no_stale_read_after
from harness.testing import (
    CLIENT_KINDS,
    favorites_owed,
    favorites_shown,
    timing,
)
from recipes.bookshop.sandbox import AsgiClient


@dataclass(frozen=True)
class Promise:
    # What a hit runs: "nothing" (not even authentication), "authentication" (a revoked
    # token gets its 401), or None: the page says otherwise.
    hit_costs: str | None
    invalidates: bool  # False: entries are served until they expire, as the page says


# --8<-- [start:promises]
PROMISES = {
    "cache-page": Promise(hit_costs="nothing", invalidates=False),
    "middleware": Promise(hit_costs="authentication", invalidates=False),
    "manual-keys": Promise(hit_costs="authentication", invalidates=True),
    "versioning": Promise(hit_costs="authentication", invalidates=True),
    "signals": Promise(hit_costs="authentication", invalidates=True),
    "tracked": Promise(hit_costs="authentication", invalidates=True),
    "async-cache": Promise(hit_costs="authentication", invalidates=True),
    "stampede": Promise(hit_costs="authentication", invalidates=True),
    "serializer-fields": Promise(hit_costs=None, invalidates=True),
}
# --8<-- [end:promises]
PAGES = ["books/", "books/1/", "authors/", "authors/1/"]


# --8<-- [start:no_leak]
@pytest.mark.parametrize(
    ("first", "second"), list(itertools.permutations(CLIENT_KINDS, 2))
)
@pytest.mark.parametrize("recipe", PROMISES)
def test_no_caller_is_served_another_callers_favorites(
    api_client, recipe, first, second
):
    books = f"/api/{recipe}/books/"
    api_client(first).get(books)  # fills whatever a first caller fills
    shown = favorites_shown(api_client(second).get(books))
    assert shown == favorites_owed(second, shown)


# --8<-- [end:no_leak]


# --8<-- [start:hit]
@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.parametrize(
    "recipe", [name for name, promise in PROMISES.items() if promise.hit_costs]
)
def test_a_hit_costs_what_the_page_says(api_client, recipe, kind, page):
    client = api_client(kind)
    miss = client.get(f"/api/{recipe}/{page}")
    hit = client.get(f"/api/{recipe}/{page}")

    assert (timing(miss).cache, timing(hit).cache) == ("miss", "hit")
    assert timing(hit).queries == 0  # the demo caches authentication too (auth-cache)
    assert hit.json() == miss.json()


@pytest.mark.parametrize(
    "recipe", [name for name, promise in PROMISES.items() if promise.hit_costs]
)
def test_a_hit_authenticates_the_caller_unless_the_page_says_otherwise(
    api_client, recipe
):
    client = api_client("alice-token")
    client.get(f"/api/{recipe}/books/")

    client.delete("/api/auth-cache/me/token/")  # revoke alice's token
    after = client.get(f"/api/{recipe}/books/")

    runs_authentication = PROMISES[recipe].hit_costs == "authentication"
    assert after.status_code == (401 if runs_authentication else 200)


# --8<-- [end:hit]


# --8<-- [start:asgi]
@pytest.mark.parametrize("kind", ["anonymous", "alice-token", "alice-session"])
@pytest.mark.parametrize(
    "recipe", [name for name, promise in PROMISES.items() if promise.hit_costs]
)
def test_under_asgi_a_hit_answers_what_its_miss_did(api_client, recipe, kind):
    """Django's ASGI handler runs a sync view in a worker thread: the same cache calls,
    the same answers, for each caller."""
    caller = AsgiClient(api_client(kind))
    miss = async_to_sync(caller.request)("GET", f"/api/{recipe}/books/")
    hit = async_to_sync(caller.request)("GET", f"/api/{recipe}/books/")

    assert (timing(miss).cache, timing(hit).cache) == ("miss", "hit")
    assert timing(hit).queries == 0
    assert hit.json() == miss.json()
    shown = favorites_shown(hit)
    assert shown == favorites_owed(kind, shown)


# --8<-- [end:asgi]


# --8<-- [start:no_stale]
@pytest.mark.parametrize(("method", "path", "payload"), WRITES)
@pytest.mark.parametrize(
    "recipe", [name for name, promise in PROMISES.items() if promise.invalidates]
)
def test_no_read_after_a_write_is_stale(
    api_client, book, recipe, method, path, payload
):
    """Warm every view that shows the book for two users, write, compare every view."""
    assert_no_stale_read_after(api_client, recipe, book, method, path, payload)


# --8<-- [end:no_stale]


ELSEWHERE = {  # recipes whose responses are not cached entries, and where their claims live
    "cache-control": "headers only: recipes/cache_control/tests",
    "conditional": "304s and 412s: recipes/conditional/tests",
    "redis-config": "the CACHES setting: recipes/redis_config/tests",
    "auth-cache": "credentials, not responses: recipes/auth_cache/tests",
    "monitoring": "counts, not responses: recipes/monitoring/tests",
    "warming": "the versioning recipe's entries, warmed: recipes/warming/tests",
    "scale-out": "every recipe, on each topology: recipes/scale_out/tests",
    "cdn": "stored by the shared cache in front: recipes/cdn/tests",
}


def test_every_recipe_is_in_the_table_or_says_where_its_claims_are_checked():
    from django.conf import settings

    slugs = {
        name.removeprefix("recipes.").replace("_", "-")
        for name in settings.COOKBOOK_RECIPES
    }
    assert slugs == set(PROMISES) | set(ELSEWHERE)
    assert not set(PROMISES) & set(ELSEWHERE)
