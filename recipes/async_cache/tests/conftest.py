from collections.abc import Callable, Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from rest_framework.test import APIClient

from recipes.async_cache import views
from recipes.bookshop.sandbox import AsgiClient


class AsgiCaller:
    """The caller of an ``APIClient`` through Django's ASGI handler, from sync tests:
    each request runs on a loop of its own, as asgiref runs it from a thread."""

    def __init__(self, api: APIClient) -> None:
        self.asgi = AsgiClient(api)

    def get(self, path: str) -> Any:
        return async_to_sync(self.asgi.request)("GET", path)

    def head(self, path: str) -> Any:
        return async_to_sync(self.asgi.request)("HEAD", path)

    def patch(self, path: str, data: dict) -> Any:
        return async_to_sync(self.asgi.request)("PATCH", path, data)


@pytest.fixture
def asgi_caller() -> Callable[[APIClient], AsgiCaller]:
    return AsgiCaller


@pytest.fixture(autouse=True)
def async_reads_resumed() -> Iterator[None]:
    """A test that found Redis down paused the demo's async reads: not the next one's."""
    views.reader.paused_until = 0.0
    yield
    views.reader.paused_until = 0.0


@pytest.fixture
def async_commands(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The commands redis-py's asyncio client sends, by name."""
    from redis.asyncio.client import Redis

    sent: list[str] = []
    execute = Redis.execute_command

    async def counting(self: Any, *args: Any, **options: Any) -> Any:
        sent.append(str(args[0]))
        return await execute(self, *args, **options)

    monkeypatch.setattr(Redis, "execute_command", counting)
    return sent


@pytest.fixture
def stuck_redis(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """The demo's async reader on a Redis that answers nothing: each script or
    ``MGET`` it sends times out (the calls are listed)."""
    import redis

    tries: list[tuple] = []

    class Stuck:
        async def evalsha(self, *args: Any) -> Any:
            tries.append(args)
            raise redis.TimeoutError("Timeout reading from socket")

        mget = evalsha  # a held response's stamps

    async def stuck_client() -> Stuck:
        return Stuck()

    monkeypatch.setattr(views.reader, "client", stuck_client)
    return tries
