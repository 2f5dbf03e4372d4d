"""What this cache does not do: it has no invalidation. These tests pass by showing it."""

from harness.testing import timing

BOOKS = "/api/middleware/books/"


# --8<-- [start:stale]
def test_a_write_is_not_seen_until_the_entry_expires(api_client, book_id):
    client = api_client("alice-token")
    before = client.get(f"{BOOKS}{book_id}/").json()

    client.patch(f"{BOOKS}{book_id}/", {"title": "A new title"}, format="json")
    after = client.get(f"{BOOKS}{book_id}/")

    assert timing(after).cache == "hit"
    assert after.json()["title"] == before["title"] != "A new title"  # for up to 60 s


# --8<-- [end:stale]
