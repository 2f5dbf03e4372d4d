"""What the check must catch: a cache found in the wild, or a correct recipe wired with one
slip, each served beside the schema of ``urls.py`` here."""

import pytest

from recipes.cache_check.cache_check import check_cache

from .conftest import callers_of
from .naive import renamed_by_a_job

pytestmark = pytest.mark.urls("recipes.cache_check.tests.urls")
SCHEMA = "/api/schema/"
BUDGET = {"max_examples": 10, "steps": 10}
STALE = "the cached answer differs from the answer with caching bypassed"


# --8<-- [start:pitfalls]
def test_it_finds_the_naive_invalidation_that_deletes_keys_never_written(bookshop):
    with pytest.raises(AssertionError, match=STALE):
        check_cache(
            SCHEMA,
            callers_of("anonymous", "alice-token", "bob-token"),
            paths="^/api/naive-manual-keys/",
            **BUDGET,
        )


def test_it_finds_a_namespace_missing_from_a_versioned_viewset(bookshop):
    with pytest.raises(AssertionError, match=r"is_favorite: (True|False) != "):
        check_cache(
            SCHEMA,
            callers_of("alice-token", "bob-token"),
            paths="^/api/missing-namespace/",
            **BUDGET,
        )


def test_it_finds_a_session_user_served_another_session_users_page(bookshop):
    """``cache_page`` with ``Vary: Authorization``, and session authentication on. Its
    entries only expire, so staleness is accepted: what is left is the leak."""
    with pytest.raises(AssertionError, match=r"-session: " + STALE) as found:
        check_cache(
            SCHEMA,
            callers_of("alice-session", "bob-session", "alice-token"),
            paths="^/api/naive-cache-page/",
            accept_stale=True,
            **BUDGET,
        )
    assert "is_favorite" in str(found.value)


def test_it_finds_a_bulk_update_that_models_without_the_queryset_miss(bookshop):
    with pytest.raises(AssertionError, match=r"after|After") as found:
        check_cache(
            SCHEMA,
            callers_of("anonymous", "alice-token"),
            paths="^/api/signals/books/$",
            outside_writes={"a bulk rename by a job": renamed_by_a_job},
            **BUDGET,
        )
    assert "a bulk rename by a job (outside the API)" in str(found.value)


# --8<-- [end:pitfalls]
