"""The signals recipe answers hits before DRF's dispatch as the versioning recipe does
(``recipes/versioned/early.py``), and a model's signal ends them."""

from harness.testing import timing

BOOKS = "/api/signals/books/"
JSON = {"HTTP_ACCEPT": "application/json"}


def test_a_saved_row_ends_the_early_hits_that_showed_it(
    api_client, book, counted, django_capture_on_commit_callbacks
):
    client = api_client("alice-token")
    client.get(BOOKS, **JSON)
    client.get(BOOKS, **JSON)  # a hit through DRF stores the caller's alias
    counted.restart()
    assert timing(client.get(BOOKS, **JSON)).cache == "hit"
    assert (counted.dispatch, counted.redis) == (0, ["MGET"])
    with django_capture_on_commit_callbacks(execute=True):
        book.title = "Renamed"
        book.save()  # no view knows: post_save bumps the namespaces
    after = client.get(BOOKS, **JSON)
    assert timing(after).cache == "miss"
    assert "Renamed" in {b["title"] for b in after.json()["results"]}
