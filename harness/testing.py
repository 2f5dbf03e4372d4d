"""Pytest fixtures every recipe's tests share (loaded by the root ``conftest.py``).

* ``bookshop``: the test database, seeded once per session with the ``small`` data set; each
  test runs in a transaction that is rolled back, so every test sees the same books.
* ``book`` (and ``book_id``): a book alice has marked as a favourite and bob has not.
* Every cache is cleared before and after each test, and ``cache_clock`` moves the clock the
  caches expire by: the testing recipe's fixtures (``recipes/testing/cache_testing.py``),
  loaded beside these as a reader's ``conftest.py`` loads them.
* ``api_client("alice-token")`` and friends give clients for each kind of caller;
  ``revoke_token("alice")`` deletes a user's tokens as a committed transaction would.
* ``counted`` counts DRF dispatches and Redis round trips: a hit answered before DRF's
  dispatch shows none of the first, and one of the second.
* ``redis_server`` starts a private ``redis-server`` on a free loopback port. Outside CI it
  skips with the reason when the binary is missing; with ``CI=true`` it fails instead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

from recipes.bookshop import sandbox
from recipes.bookshop.sandbox import CLIENT_KINDS
from recipes.bookshop.server_timing import Timing
from recipes.bookshop.server_timing import read_timing as timing

from .redis_server import RedisServer, free_port, start_redis_server

if TYPE_CHECKING:
    from django.http import HttpResponseBase
    from rest_framework.test import APIClient

    from recipes.bookshop.models import Book

# Models are imported inside the fixtures: pytest loads this plugin before Django is set up.


@pytest.fixture(autouse=True)
def undelivered_marks_forgotten() -> Iterator[None]:
    """A test that took Redis away leaves the tracked recipe's marks waiting in its
    outbox, in this process: the next test starts with none. Nor does it start with
    the responses and the count an earlier test's reads left held in this process."""
    from recipes.tracked.tracked_cache import _decoded, _delivery, _stores

    yield
    _delivery.reset()
    _decoded.clear()
    for store in _stores:
        store.latest = 0


@pytest.hookimpl(trylast=True)  # after pytest-randomly's shuffle, which this keeps
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Start the longest tests first, so that the workers finish together."""
    items.sort(
        key=lambda item: (
            not (
                item.get_closest_marker("slow")
                or item.get_closest_marker("concurrency")
            )
        )
    )


@pytest.fixture(scope="session")
def seeded_database(
    django_db_setup: None, django_db_blocker: pytest.FixtureRequest
) -> None:
    """Seed the test database once per session."""
    from recipes.bookshop.seed import seed

    with django_db_blocker.unblock():
        seed("small")


@pytest.fixture
def bookshop(seeded_database: None, db: None) -> None:
    """Give a test the seeded bookshop, inside a transaction rolled back after it."""


@pytest.fixture
def book(bookshop: None) -> Book:
    """A book that alice has marked as a favourite and bob has not."""
    from recipes.bookshop.models import Book, Favorite

    favorite = Favorite.objects.filter(user__username="alice").order_by("book_id")[0]
    return Book.objects.get(pk=favorite.book_id)


@pytest.fixture
def book_id(book: Book) -> int:
    """The primary key of ``book``."""
    return book.pk


@pytest.fixture
def revoke_token(
    bookshop: None, django_capture_on_commit_callbacks: Callable
) -> Callable[[str], None]:
    """Return a function that deletes a user's tokens as a committed transaction would:
    the auth cache's receivers run after commit, and a test's transaction never commits."""

    def revoke(username: str) -> None:
        from rest_framework.authtoken.models import Token

        with django_capture_on_commit_callbacks(execute=True):
            Token.objects.filter(user__username=username).delete()

    return revoke


@pytest.fixture
def api_client(bookshop: None) -> Callable[[str], APIClient]:
    """Return a factory of API clients: anonymous, or alice/bob by token or by session."""
    return sandbox.client


# The demo caches authentication (the auth-cache recipe): once a caller is known, a request
# runs no query to authenticate them, and reads one cache entry per credential.
AUTHENTICATION_CACHE_READS = {"anonymous": 0, "token": 1, "session": 2}


def authentication_cache_reads(kind: str) -> Counter[str]:
    """Return the cache calls that authenticate a known client of ``kind``: the token's
    entry, or the session's and its user's."""
    return Counter(get=AUTHENTICATION_CACHE_READS[kind.rpartition("-")[2]])


def favorites_shown(response: HttpResponseBase) -> dict[int, bool]:
    """Return ``{book id: is_favorite}`` for the books of a list response."""
    return {book["id"]: book["is_favorite"] for book in response.json()["results"]}


def favorites_owed(kind: str, book_ids: Iterable[int]) -> dict[int, bool]:
    """Return what ``is_favorite`` must say about ``book_ids`` to a client of ``kind``."""
    from recipes.bookshop.models import Favorite

    owned: set[int] = set()
    if kind != "anonymous":
        username = kind.partition("-")[0]
        owned = set(
            Favorite.objects.filter(user__username=username).values_list(
                "book_id", flat=True
            )
        )
    return {book_id: book_id in owned for book_id in book_ids}


def uncached_twin(path: str) -> str:
    """Return the path of the same request on the uncached baseline API."""
    return re.sub(r"^/api/[^/]+/", "/api/uncached/", path)


def read_both(client: APIClient, path: str) -> tuple[tuple[int, Any], tuple[int, Any]]:
    """Read ``path`` from a recipe and from the uncached baseline, as the same client.

    Returns ``(status, body)`` for each, with the baseline's links rewritten to the
    recipe's path so that equal data compares equal.
    """
    return read_recipe(client, path), read_uncached(client, path)


def read_recipe(client: APIClient, path: str) -> tuple[int, Any]:
    """Return ``(status, body)`` of ``path`` as the recipe answers it."""
    response = client.get(path, HTTP_ACCEPT="application/json")
    return response.status_code, response.json()


def read_uncached(client: APIClient, path: str) -> tuple[int, Any]:
    """Return ``(status, body)`` of ``path`` as the uncached baseline answers it, with its
    links rewritten to the recipe's path."""
    fresh = client.get(uncached_twin(path), HTTP_ACCEPT="application/json")
    prefix = re.match(r"^/api/[^/]+/", path)[0]
    return fresh.status_code, json.loads(
        fresh.content.decode().replace("/api/uncached/", prefix)
    )


def assert_reads_match_uncached(client: APIClient, paths: Iterable[str]) -> None:
    """Read each path from the recipe and from the uncached baseline: they must agree."""
    for path in paths:
        cached, fresh = read_both(client, path)
        assert cached == fresh, path


@dataclass
class Counted:
    """DRF dispatches, and Redis round trips by what they ran (a failure names the extra
    one)."""

    dispatch: int = 0
    redis: list[str] = field(default_factory=list)

    def restart(self) -> None:
        self.dispatch, self.redis = 0, []


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Counted:
    from redis import Redis
    from redis.client import Pipeline
    from rest_framework.views import APIView

    seen = Counted()
    dispatch, command, pipeline = (
        APIView.dispatch,
        Redis.execute_command,
        Pipeline.execute,
    )

    def counting_dispatch(self: Any, *args: Any, **kwargs: Any) -> Any:
        seen.dispatch += 1
        return dispatch(self, *args, **kwargs)

    def counting_command(self: Any, *args: Any, **kwargs: Any) -> Any:
        seen.redis.append(str(args[0]))
        return command(self, *args, **kwargs)

    def counting_pipeline(self: Any, *args: Any, **kwargs: Any) -> Any:
        names = ",".join(str(c[0][0]) for c in self.command_stack)
        seen.redis.append(f"pipeline({names})")  # one round trip, whatever it holds
        return pipeline(self, *args, **kwargs)

    monkeypatch.setattr(APIView, "dispatch", counting_dispatch)
    monkeypatch.setattr(Redis, "execute_command", counting_command)
    monkeypatch.setattr(Pipeline, "execute", counting_pipeline)
    return seen


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """Run a private ``redis-server``: skipped when missing, except under ``CI=true``."""
    if shutil.which("redis-server") is None:
        if os.environ.get("CI") == "true":
            pytest.fail(
                "CI=true but redis-server is not installed; .ci/run installs it"
            )
        pytest.skip(
            "redis-server is not installed (install it to run the real-Redis tests)"
        )
    port = free_port()
    process = start_redis_server(port, tmp_path_factory.mktemp("redis"))
    yield RedisServer(port=port, process=process)
    process.terminate()
    process.wait(timeout=10)


__all__ = [
    "CLIENT_KINDS",
    "Timing",
    "assert_reads_match_uncached",
    "authentication_cache_reads",
    "favorites_owed",
    "favorites_shown",
    "read_both",
    "read_recipe",
    "read_uncached",
    "timing",
    "uncached_twin",
]
