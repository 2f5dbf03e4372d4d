"""What each recipe does when Redis evicts one of its bookkeeping keys (an eviction is a
delete that nobody asked for: ``DEL`` shows it without filling a Redis)."""

from django.core.cache import caches

from harness.testing import timing
from recipes.bookshop import sandbox
from recipes.bookshop.models import Book
from recipes.manual_keys import views

from .naive import TagStoreThatTrustsItsEntries


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
def evict_tag_sets_of(book: Book) -> None:
    """Evict the sets through which the manual-keys recipe finds a book's entry."""
    evict(
        f"{{manual-keys}}:tag:book:{book.pk}",
        f"{{manual-keys}}:tag:author:{book.author_id}",
    )


def test_an_entry_whose_tag_sets_were_evicted_is_a_miss_not_a_stale_hit(book):
    alice, page = sandbox.client("alice-token"), f"/api/manual-keys/books/{book.pk}/"
    alice.get(page)

    evict_tag_sets_of(book)  # the entry lives on, but nothing could find it again
    alice.patch(page, {"title": "After an eviction"}, format="json")
    again = alice.get(page)

    assert timing(again).cache == "miss"
    assert b"After an eviction" in again.content


# --8<-- [end:tag_set_evicted]


def test_an_evicted_marker_makes_its_entries_misses(book):
    """What the store recorded can no longer be vouched for: a miss, never a guess."""
    alice, page = sandbox.client("alice-token"), f"/api/manual-keys/books/{book.pk}/"
    alice.get(page)
    alice.patch(
        page, {"title": "Marked"}, format="json"
    )  # the book's tag gets a marker
    assert timing(alice.get(page)).cache == "miss"
    assert timing(alice.get(page)).cache == "hit"

    evict(f"{{manual-keys}}:gone:book:{book.pk}")

    assert timing(alice.get(page)).cache == "miss"


# --8<-- [start:tag_set_evicted_pitfall]
def test_a_store_that_trusts_its_entries_serves_one_stale_after_an_eviction(
    book, monkeypatch
):
    trusting = TagStoreThatTrustsItsEntries("default", name="manual-keys")
    monkeypatch.setattr(views.BookViewSet, "cache_store", trusting)
    alice, page = sandbox.client("alice-token"), f"/api/manual-keys/books/{book.pk}/"
    alice.get(page)

    evict_tag_sets_of(book)
    alice.patch(page, {"title": "After an eviction"}, format="json")
    again = alice.get(page)

    assert timing(again).cache == "hit"
    assert b"After an eviction" not in again.content  # (1)!


# --8<-- [end:tag_set_evicted_pitfall]


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
