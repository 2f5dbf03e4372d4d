"""adrf's ``async def`` handlers, cached in the tracked store: a hit runs no query and no
handler, a miss is tracked as it renders, and a write anywhere ends what they serve."""

import pytest

from harness.testing import Timing, timing
from recipes.async_cache import handlers

from .test_hits import KINDS, shown

pytestmark = pytest.mark.urls("recipes.async_cache.handlers")
BOOKS = "/api/async-cache/adrf/books/"
AUTHORS = "/api/async-cache/adrf/authors/"
JSON = {"HTTP_ACCEPT": "application/json"}


def test_adrf_routes_gets_to_the_async_handlers():
    view = handlers.router.urls[0].callback
    assert view.actions["get"] == "alist"
    assert handlers.BookViewSet.view_is_async


# --8<-- [start:handlers]
@pytest.mark.parametrize("kind", KINDS)
def test_an_async_handler_s_hit_runs_no_query_and_equals_the_uncached_api(
    api_client, asgi_caller, kind, book_id, monkeypatch
):
    sync_client = api_client(kind)
    caller = asgi_caller(sync_client)
    for path in (BOOKS, f"{BOOKS}{book_id}/", AUTHORS):
        assert timing(caller.get(path)).cache == "miss"
        with monkeypatch.context() as patch:
            refuse_the_handlers(patch)
            hit = caller.get(path)
        assert timing(hit) == Timing("hit", 0), (kind, path)
        uncached = path.replace("/api/async-cache/adrf/", "/api/uncached/")
        assert shown(hit) == shown(sync_client.get(uncached, **JSON))


def test_a_write_through_a_sync_view_ends_an_async_handler_s_hit(
    api_client, asgi_caller, book_id, django_capture_on_commit_callbacks
):
    sync_client = api_client("alice-token")
    caller = asgi_caller(sync_client)
    caller.get(f"{BOOKS}{book_id}/")
    assert timing(caller.get(f"{BOOKS}{book_id}/")).cache == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        sync_client.patch(
            f"/api/uncached/books/{book_id}/", {"title": "Synced"}, format="json"
        )

    assert caller.get(f"{BOOKS}{book_id}/").json()["title"] == "Synced"


# --8<-- [end:handlers]


def refuse_the_handlers(patch) -> None:
    """Make adrf's own handlers fail the test if called."""
    from adrf import mixins

    def not_called(*args, **kwargs):
        raise AssertionError("the handler ran on a hit")

    patch.setattr(mixins.ListModelMixin, "alist", not_called)
    patch.setattr(mixins.RetrieveModelMixin, "aretrieve", not_called)


def test_a_stuck_redis_costs_an_async_handler_one_timeout_then_the_database_answers(
    api_client, asgi_caller, stuck_redis
):
    sync_client = api_client("alice-token")
    caller = asgi_caller(sync_client)

    answers = [caller.get(BOOKS) for _ in range(3)]

    assert [timing(answer).cache for answer in answers] == ["miss"] * 3
    uncached = sync_client.get("/api/uncached/books/", **JSON)
    assert shown(answers[-1]) == shown(uncached)
    assert (
        len(stuck_redis) == 1
    )  # the read that found it stuck; then nothing, not even a store
