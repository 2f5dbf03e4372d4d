"""When Redis is full under noeviction it refuses SET and INCR, and allows DEL: an
invalidation that only writes is lost, and the entry it should have ended is served."""

from functools import partial

import pytest

from recipes.auth_cache.cached_auth import AuthCache
from recipes.bookshop import sandbox
from recipes.manual_keys.tagged_cache import TaggedCache
from recipes.versioning.views import namespaces

from .conftest import tighten
from .naive import bump_with_incr_alone, end_with_a_tombstone_alone

pytestmark = pytest.mark.real_redis


def rename_when_full(squeezed, slug: str, book_id: int) -> bytes:
    """Cache a book's page, fill Redis, rename the book; return the page as read next."""
    redis = squeezed("noeviction")
    alice, page = sandbox.client("alice-token"), f"/api/{slug}/books/{book_id}/"
    alice.get(page)
    tighten(redis)
    alice.patch(page, {"title": "Renamed when full"}, format="json")
    return alice.get(page).content


# --8<-- [start:bump_pitfall]
def test_a_bump_by_incr_alone_is_refused_and_the_old_entry_served(
    book_id, squeezed, monkeypatch
):
    monkeypatch.setattr(namespaces, "bump", partial(bump_with_incr_alone, namespaces))

    assert b"Renamed when full" not in rename_when_full(squeezed, "versioning", book_id)


def test_the_recipe_deletes_the_version_it_could_not_bump(book_id, squeezed):
    assert b"Renamed when full" in rename_when_full(squeezed, "versioning", book_id)


# --8<-- [end:bump_pitfall]


def test_a_tag_script_refused_without_a_fallback_leaves_the_entry(
    book_id, squeezed, monkeypatch
):
    monkeypatch.setattr(TaggedCache, "_delete_tagged", lambda self, keys: None)

    assert b"Renamed when full" not in rename_when_full(
        squeezed, "manual-keys", book_id
    )


def test_the_recipe_deletes_the_tagged_entries_by_deletes_alone(book_id, squeezed):
    assert b"Renamed when full" in rename_when_full(squeezed, "manual-keys", book_id)


# --8<-- [start:tombstone_pitfall]
def revoked_when_full(squeezed, revoke_token) -> int:
    """Cache alice's token, fill Redis, delete the token; return the next status."""
    redis = squeezed("noeviction")
    alice = sandbox.client("alice-token")
    alice.get("/api/auth-cache/me/")
    tighten(redis)
    revoke_token("alice")
    return alice.get("/api/auth-cache/me/").status_code


def test_a_tombstone_alone_is_refused_and_a_deleted_token_still_works(
    squeezed, revoke_token, monkeypatch
):
    monkeypatch.setattr(AuthCache, "end", end_with_a_tombstone_alone)

    assert revoked_when_full(squeezed, revoke_token) == 200


def test_the_recipe_deletes_the_credential_it_could_not_end(squeezed, revoke_token):
    assert revoked_when_full(squeezed, revoke_token) == 401


# --8<-- [end:tombstone_pitfall]


def test_row_values_refused_an_invalidation_are_deleted_instead(squeezed):
    redis = squeezed("noeviction")
    alice, authors = sandbox.client("alice-token"), "/api/serializer-fields/authors/"
    alice.get(authors)
    tighten(redis)

    created = alice.post(
        "/api/serializer-fields/reviews/",
        {"book_id": 1, "rating": 1, "body": "Full"},
        format="json",
    )

    assert created.status_code == 201
    assert alice.get(authors).json() == alice.get("/api/uncached/authors/").json()
