"""The check run on the demo, against every recipe that caches responses: it finds nothing
where a recipe invalidates, and, where entries only expire, only the staleness the page
states (a body the same caller was answered earlier)."""

import pytest

from recipes.cache_check.cache_check import check_cache

SCHEMA = "/api/schema/"
BUDGET = {"max_examples": 6, "steps": 6}
INVALIDATING = {  # the paths each recipe caches with invalidation
    "manual-keys": "^/api/manual-keys/",
    "versioning": "^/api/versioning/",
    "signals": "^/api/signals/",
    "tracked": "^/api/tracked/",
    "serializer-fields": "^/api/serializer-fields/",
    # Its rendered-books are the middleware recipe's entries, guarded: they expire.
    "stampede": "^/api/stampede/(books|authors|reviews)/",
    # Nothing cached on the server: bodies, and Vary on what a shared cache may keep.
    "cache-control": "^/api/cache-control/",
    "conditional": "^/api/conditional/",
}
EXPIRING = ["cache-page", "middleware"]


@pytest.mark.parametrize("recipe", INVALIDATING)
def test_a_recipe_that_invalidates_answers_as_the_uncached_api(cache_callers, recipe):
    report = check_cache(SCHEMA, cache_callers, paths=INVALIDATING[recipe], **BUDGET)
    assert report.scenarios >= BUDGET["max_examples"]
    assert report.stale_reads == 0


@pytest.mark.parametrize("recipe", EXPIRING)
def test_a_recipe_that_expires_serves_only_what_the_same_caller_was_answered(
    cache_callers, recipe
):
    accepted = check_cache(
        SCHEMA, cache_callers, paths=f"^/api/{recipe}/", accept_stale=True, **BUDGET
    )
    assert accepted.stale_reads > 0  # the staleness its page states, and only it

    with pytest.raises(AssertionError, match="the cached answer differs"):
        check_cache(SCHEMA, cache_callers, paths=f"^/api/{recipe}/", **BUDGET)
