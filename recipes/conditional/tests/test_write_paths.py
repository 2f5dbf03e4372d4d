"""After every write path, an old ETag gets a 304 only if the body really is unchanged."""

import pytest

from harness.consistency import WRITES
from harness.testing import read_both
from recipes.bookshop.models import Book

READS = ["books/", "books/?page=2", "books/{id}/", "authors/", "authors/{author}/"]


def snapshot(client, paths: list[str]) -> dict[str, tuple[str, object]]:
    """Return each path's ETag and body, as the client sees them now."""
    responses = {path: client.get(path) for path in paths}
    return {path: (r["ETag"], r.json()) for path, r in responses.items()}


def assert_304_only_when_unchanged(client, before: dict) -> None:
    """Revalidate each snapshot: a 304 must mean the uncached body is what was kept."""
    for path, (etag, kept) in before.items():
        revalidated = client.get(path, HTTP_IF_NONE_MATCH=etag)
        (_, current), (_, fresh) = read_both(client, path)
        if revalidated.status_code == 304:
            assert fresh == kept, f"304 for {path}, but it changed"
        else:
            assert revalidated.json() == fresh == current, path


# --8<-- [start:writes]
@pytest.mark.parametrize(("method", "path", "payload"), WRITES)
def test_no_304_for_a_body_that_a_write_changed(api_client, method, path, payload):
    book = Book.objects.get(pk=1)
    reads = [
        f"/api/conditional/{p.format(id=book.pk, author=book.author_id)}" for p in READS
    ]
    alice, bob = api_client("alice-token"), api_client("bob-session")
    before = {client: snapshot(client, reads) for client in (alice, bob)}
    if payload and "book_id" in payload:
        payload = {**payload, "book_id": book.pk}

    written = getattr(alice, method)(
        f"/api/conditional/{path.format(id=book.pk)}", payload, format="json"
    )

    assert written.status_code < 300, written.content
    for client, snapshots in before.items():
        assert_304_only_when_unchanged(client, snapshots)


# --8<-- [end:writes]


@pytest.mark.parametrize(
    "bulk_write",
    [
        lambda: Book.objects.filter(pk=1).update(title="Updated in bulk"),
        lambda: Book.objects.bulk_update(
            [Book(pk=1, title="Bulk", author_id=1, published="2020-01-01", price=1)],
            ["title"],
        ),
    ],
    ids=["update", "bulk_update"],
)
def test_bulk_writes_change_the_etag_too(api_client, bulk_write):
    from django.test import TestCase

    client = api_client("anonymous")
    etag = client.get("/api/conditional/books/1/")["ETag"]

    with TestCase.captureOnCommitCallbacks(execute=True):
        bulk_write()

    response = client.get("/api/conditional/books/1/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
