"""What each recipe does when Redis evicts one of its bookkeeping keys (an eviction is a
delete that nobody asked for: ``DEL`` shows it without filling a Redis)."""

from django.core.cache import caches

from harness.testing import timing
from recipes.bookshop import sandbox


def evict(*keys: str) -> None:
    """Remove ``keys`` (as Django names them) as Redis's eviction would."""
    caches["default"].delete_many(list(keys))


# --8<-- [start:version_evicted]
def test_an_evicted_version_starts_afresh_above_its_old_entries(book_id):
    alice, page = sandbox.client("alice-token"), f"/api/versioning/books/{book_id}/"
    alice.get(page)

    evict("ns:books")
    alice.patch(page, {"title": "After an eviction"}, format="json")

    assert b"After an eviction" in alice.get(page).content


# --8<-- [end:version_evicted]


# --8<-- [start:tag_set_evicted]
def test_evicted_tag_sets_leave_their_entry_to_be_served_stale(book):
    alice, page = sandbox.client("alice-token"), f"/api/manual-keys/books/{book.pk}/"
    alice.get(page)

    evict(  # the sets that find the entry again; the entry lives on, untracked
        f"{{manual-keys}}:tag:book:{book.pk}",
        f"{{manual-keys}}:tag:author:{book.author_id}",
    )
    alice.patch(page, {"title": "After an eviction"}, format="json")
    again = alice.get(page)

    assert timing(again).cache == "hit"
    assert b"After an eviction" not in again.content  # (1)!


# --8<-- [end:tag_set_evicted]


# --8<-- [start:timeouts]
def test_entries_have_a_timeout_and_versions_none(bookshop):
    """What volatile-* may evict (keys with a timeout) and what it may not."""
    sandbox.client("alice-token").get("/api/versioning/books/")
    cache = caches["default"]

    timeouts = {key: cache.ttl(key) for key in cache.keys("*")}

    versions = {key: ttl for key, ttl in timeouts.items() if key.startswith("ns:")}
    assert len(versions) == 3  # books, authors, alice's favourites
    entries = {key: ttl for key, ttl in timeouts.items() if key.startswith("books.")}
    assert set(versions.values()) == {None}  # kept until bumped
    assert entries
    assert all(0 < ttl <= 300 for ttl in entries.values())


# --8<-- [end:timeouts]
