"""A hit answered on the event loop: one script through redis-py's asyncio client, no
query, no DRF dispatch and no sync cache call; whatever the sync path would not answer
from an alias goes to it, in a worker thread."""

import asyncio

import pytest
import redis
import redis.asyncio

from harness.early_path import exchanged
from harness.testing import Timing, timing, uncached_twin
from recipes.async_cache import views

BOOKS = "/api/async-cache/books/"
JSON = {"HTTP_ACCEPT": "application/json"}
KINDS = ["anonymous", "alice-token", "alice-session"]


def shown(response) -> dict:
    """The body, but for the links to other pages, which name the API they are in."""
    body = response.json()
    return {k: v for k, v in body.items() if k not in ("next", "previous")}


# --8<-- [start:hit]
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("page", ["", "{book_id}/"])
def test_an_async_hit_is_one_command_with_no_query_no_dispatch_and_no_sync_call(
    api_client, asgi_caller, kind, page, book_id, counted, async_commands, monkeypatch
):
    caller = asgi_caller(api_client(kind))  # under ASGI
    path = BOOKS + page.format(book_id=book_id)
    caller.get(path)  # a miss: the tracked view, in a thread, stores entry and alias
    with monkeypatch.context() as sync_only:
        sync_only.setattr(views.reader, "get", no_async_read)
        through_sync = caller.get(path)  # the tracked recipe's own hit, in a thread
    counted.restart()
    async_commands.clear()
    hit = caller.get(path)  # the process holds what the sync hit read: its stamps
    assert timing(hit) == Timing("hit", 0)  # no query
    assert (counted.dispatch, counted.redis, async_commands) == (0, [], ["MGET"])
    assert exchanged(hit) == exchanged(through_sync)  # byte for byte


async def no_async_read(store, key):
    return None


# --8<-- [end:hit]


# --8<-- [start:shared]
def test_a_write_through_a_sync_view_ends_the_async_hits_it_changed(
    api_client, asgi_caller, book_id, django_capture_on_commit_callbacks
):
    sync_client = api_client("alice-token")
    caller = asgi_caller(sync_client)
    caller.get(f"{BOOKS}{book_id}/")
    assert timing(caller.get(f"{BOOKS}{book_id}/")).cache == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        sync_client.patch(
            f"/api/tracked/books/{book_id}/",
            {"title": "Written in sync"},
            format="json",
        )
    assert caller.get(f"{BOOKS}{book_id}/").json()["title"] == "Written in sync"


def test_a_write_through_an_async_view_ends_the_sync_hits_it_changed(
    api_client, asgi_caller, book_id, django_capture_on_commit_callbacks
):
    sync_client = api_client("alice-token")
    for _ in range(2):
        sync_client.get(f"/api/tracked/books/{book_id}/", **JSON)
    with django_capture_on_commit_callbacks(execute=True):
        written = asgi_caller(sync_client).patch(
            f"{BOOKS}{book_id}/", {"title": "Written under ASGI"}
        )
    assert written.status_code == 200
    after = sync_client.get(f"/api/tracked/books/{book_id}/", **JSON)
    assert after.json()["title"] == "Written under ASGI"


# --8<-- [end:shared]


def test_a_deleted_token_ends_its_async_hits_at_once(
    api_client, asgi_caller, revoke_token
):
    caller = asgi_caller(api_client("alice-token"))
    caller.get(BOOKS)
    assert timing(caller.get(BOOKS)).cache == "hit"
    revoke_token("alice")
    assert caller.get(BOOKS).status_code == 401


def test_an_async_read_equals_the_uncached_api_for_every_caller(
    api_client, asgi_caller, book_id
):
    for kind in KINDS:
        sync_client = api_client(kind)
        caller = asgi_caller(sync_client)
        for path in (BOOKS, f"{BOOKS}{book_id}/"):
            caller.get(path)
            hit = caller.get(path)
            assert timing(hit).cache == "hit", (kind, path)
            assert shown(hit) == shown(sync_client.get(uncached_twin(path), **JSON))


@pytest.mark.parametrize("method", ["head", "patch"])
def test_what_is_not_a_get_goes_through_drf_in_a_thread(
    api_client, asgi_caller, method, book_id, counted, async_commands
):
    caller = asgi_caller(api_client("alice-token"))
    caller.get(f"{BOOKS}{book_id}/")
    counted.restart()
    async_commands.clear()
    if method == "head":
        answer = caller.head(f"{BOOKS}{book_id}/")
    else:
        answer = caller.patch(f"{BOOKS}{book_id}/", {"title": "Patched"})
    assert answer.status_code == 200
    assert (counted.dispatch, async_commands) == (1, [])


# --8<-- [start:stuck]
def test_a_stuck_redis_costs_one_timeout_then_the_sync_path_answers(
    api_client, asgi_caller, stuck_redis, caplog
):
    """Every read of a stuck Redis waits a whole socket timeout: after the first, the
    async reads pause, and the sync path (which fails open) answers alone."""
    sync_client = api_client("alice-token")
    caller = asgi_caller(sync_client)
    answers = [caller.get(BOOKS) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert shown(answers[-1]) == shown(sync_client.get(uncached_twin(BOOKS), **JSON))
    assert len(stuck_redis) == 1
    assert "no async cache call for" in caplog.text


# --8<-- [end:stuck]


def test_each_loop_gets_its_own_client_closed_as_the_loop_ends(monkeypatch):
    closed = []
    aclose = redis.asyncio.Redis.aclose

    async def recording(self, *args, **kwargs):
        closed.append(self)
        return await aclose(self, *args, **kwargs)

    monkeypatch.setattr(redis.asyncio.Redis, "aclose", recording)
    reader = views.DemoReader("default")
    first, second = (asyncio.run(reader.client()) for _ in range(2))
    assert first is not second
    assert closed == [first, second]
