# From the DRF caching cookbook 0.8.2 (its CHANGELOG.md says what changed since).
# Supports Django 5.2 LTS (5.2.19+) on Python 3.11+, and Django 6 on Python 3.12+.
"""Answer the tracked recipe's hits in async code, under ASGI, on redis-py's asyncio client:
no thread and no sync cache call on a hit.

How it works:

* ``AsyncHitsMixin`` goes first in a tracked ViewSet's bases. Its ``as_view`` returns a
  coroutine view, which Django's ASGI handler awaits on the event loop.
* A GET is keyed as the tracked recipe's early path keys it (the credential as sent, the
  media type DRF would negotiate, the host, the path, the query, the language) and read
  with the same Lua script, sent by ``redis.asyncio``: a current alias is answered at
  once. The script checks the caller's user, token and session rows, as on the sync path.
* Anything else runs the tracked view in a worker thread (``sync_to_async``): a miss, a
  write, HEAD, and every request of a view whose hits must pass DRF's checks (throttles,
  authentications the key cannot see). It computes, tracks and stores as the sync recipe
  does, so the entries, the marks and the invalidation are the tracked recipe's: a write
  through a sync view, the admin, a command or an async view ends the same entries.
* A key missed by several requests at once on one loop is rendered by the first; the
  others wait for it on the loop (an ``asyncio.Event``, no thread each), then read what it
  stored. What it did not store, each renders in a thread after all.
* Each event loop gets its own client (an asyncio connection belongs to the loop that
  opened it), with the sync cache's address, database and timeouts. It is closed when the
  loop shuts down its async generators, as ``asyncio.run``, uvicorn and asgiref do.
* When Redis is down or stuck, a hit waits one socket timeout at most, then the request
  goes to the sync path, which fails open; the log says so. For ``pause`` seconds after,
  no async read is tried, so a stuck Redis costs one timeout, not one per request.
"""

import asyncio
import logging
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from functools import wraps
from typing import Any

import redis.asyncio
from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponseBase
from django_redis import get_redis_connection
from redis.asyncio.cluster import ClusterNode
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.cluster import RedisCluster
from redis.exceptions import NoScriptError, RedisClusterException, RedisError

from .tracked_cache import (
    FLIGHT_WAIT,
    MISSING,
    READ_IF_CURRENT,
    STORE_UNLESS_MARKED,
    Entry,
    Lookup,
    RenderedResponse,
    TrackedCache,
    answers_early,
    collect,
    early_key,
    held_for,
    render_now,
    report_cache_outcome,
    response_key,
    script_sha,
)

logger = logging.getLogger(__name__)
#: What the async client takes from the sync one: where Redis is, and how long to wait.
CONNECTION_SETTINGS = (
    "host",
    "port",
    "db",
    "username",
    "password",
    "socket_timeout",
    "socket_connect_timeout",
)


# --8<-- [start:mixin]
class AsyncHitsMixin:
    """Answer the hits of a tracked ViewSet on the event loop; the rest in a thread."""

    cache_name: str
    cache_store: TrackedCache
    async_reader: "AsyncReader"

    @classmethod
    def as_view(cls, actions: dict | None = None, **initkwargs: Any) -> Callable:
        view = super().as_view(actions, **initkwargs)  # the tracked recipe's (sync)
        action = (actions or {}).get("get")
        early = action in ("list", "retrieve") and answers_early(cls)
        name = f"{cls.cache_name}.{action}" if early else None
        return answer_hits_on_the_loop(cls, name, view)


def answer_hits_on_the_loop(
    view_class: type, name: str | None, view: Callable
) -> Callable:
    """Wrap the sync ``view`` in a coroutine view: a current alias is answered from one
    script, awaited; anything else awaits ``view`` in a worker thread."""
    in_a_thread = sync_to_async(view)

    @wraps(view)
    async def hits_on_the_loop(
        request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        key = name and early_key(view_class, name, request, kwargs)
        if not key:
            return await in_a_thread(request, *args, **kwargs)
        read = view_class.async_reader.get
        found = await read(view_class.cache_store, key)
        if isinstance(found, RenderedResponse):
            return report_cache_outcome(found.replay(), "hit")
        async with flights.board(key) as leading:  # (1)!
            if not leading:
                found = await read(view_class.cache_store, key)
                if isinstance(found, RenderedResponse):
                    return report_cache_outcome(found.replay(), "waited")
            return await in_a_thread(request, *args, **kwargs)  # (2)!

    return hits_on_the_loop


# --8<-- [end:mixin]


# --8<-- [start:flights]
class LoopFlights:
    """The renders in flight on each event loop, by key: the first request to miss a key
    leads, and the others that miss it meanwhile wait on the loop until it lands."""

    def __init__(self, wait: float = FLIGHT_WAIT) -> None:
        self.wait = wait
        self._by_loop: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    @asynccontextmanager
    async def board(self, key: str) -> AsyncIterator[bool]:
        """Lead the render of ``key`` (``True``) or follow, once it has landed (``False``)."""
        in_flight = self._by_loop.setdefault(asyncio.get_running_loop(), {})
        landed = in_flight.get(key)
        if landed is not None:
            await self.follow(landed)
            yield False
            return
        landed = in_flight[key] = asyncio.Event()
        try:
            yield True
        finally:
            del in_flight[key]
            landed.set()

    async def follow(self, landed: asyncio.Event) -> None:
        """Wait for the leader to land: ``wait`` seconds at most, as on the sync path."""
        with suppress(TimeoutError):
            await asyncio.wait_for(landed.wait(), self.wait)


flights = LoopFlights()


# --8<-- [end:flights]


# --8<-- [start:handlers]
class AsyncHandlersMixin:
    """Cache an adrf ViewSet's ``async def`` handlers, ``alist`` and ``aretrieve``, as
    the tracked recipe caches ``list`` and ``retrieve``: the same store, keys and marks.
    Goes first in the bases."""

    cache_name: str
    cache_timeout: int = 300
    cache_per_user: bool = True
    cache_store: TrackedCache
    async_reader: "AsyncReader"

    async def alist(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return await self._cached("list", super().alist, request, args, kwargs)

    async def aretrieve(
        self, request: Any, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        return await self._cached("retrieve", super().aretrieve, request, args, kwargs)

    async def _cached(
        self, action: str, view: Callable, request: Any, args: tuple, kwargs: dict
    ) -> HttpResponseBase:
        key = response_key(
            f"{self.cache_name}.{action}", request, kwargs, per_user=self.cache_per_user
        )
        reader, store = self.async_reader, self.cache_store
        found = await reader.lookup(store, key)  # (1)!
        if isinstance(found.value, RenderedResponse):
            return report_cache_outcome(found.value.replay(), "hit")
        async with flights.board(key) as leading:
            if not leading and isinstance(
                waited := await reader.get(store, key), RenderedResponse
            ):
                return report_cache_outcome(waited.replay(), "waited")
            with collect() as read:  # (2)!
                response = await view(request, *args, **kwargs)
                rendered = await sync_to_async(render_now)(self, response)  # (3)!
            if rendered is not None:
                entry = Entry(key, rendered, read, self.cache_timeout, found.seen)
                await reader.put(store, entry)
        return report_cache_outcome(response, "miss")


# --8<-- [end:handlers]


# --8<-- [start:reader]
class AsyncReader:
    """Reads a tracked store's entries with ``redis.asyncio`` (and stores those of adrf's
    handlers), one client per loop."""

    def __init__(self, alias: str = "default", *, pause: float = 5.0) -> None:
        self.alias, self.pause = alias, pause
        self.paused_until = 0.0
        self._clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    async def get(self, store: TrackedCache, key: str) -> Any:
        """Return what ``store`` holds under ``key`` if it is current, else ``None``."""
        found = await self.lookup(store, key)
        return None if found.value is MISSING else found.value

    async def lookup(self, store: TrackedCache, key: str) -> Lookup:
        """What ``store`` holds under ``key``, and the count the read saw (none if the
        read failed: then nothing read afterwards is stored)."""
        if self.paused(store):
            return Lookup(MISSING, None)
        held = held_for(store, key)
        if store.stamps_first(held):
            read = await self.guarded(
                lambda client: client.mget(held.keys), f"read {key}"
            )
            if read is None:
                return Lookup(MISSING, None)
            if (found := store.stamped(held, read)) is not None:
                return found
        call = store.read_call(key, held)
        reply = await self.run(READ_IF_CURRENT, *call, f"read {key}")
        return (
            Lookup(MISSING, None) if reply is None else store.found_in(key, reply, held)
        )

    async def put(self, store: TrackedCache, entry: Entry) -> bool:
        """Store ``entry`` unless what it read was marked after its ``seen``."""
        if self.paused(store):
            return False
        call = store.store_call(entry)
        stored = await self.run(STORE_UNLESS_MARKED, *call, f"store {entry.key}")
        return bool(stored and stored[0])

    def paused(self, store: TrackedCache) -> bool:
        """Whether no async cache call is made: after a failure, for ``pause`` seconds,
        and while this process's marks wait in the outbox (the sync path relays them)."""
        return time.monotonic() < self.paused_until or not store.readable(relay=False)

    async def run(self, script: str, keys: list, args: list, what: str) -> Any:
        """Run one of the tracked store's scripts; ``None`` if Redis failed."""

        async def evaluate(client: redis.asyncio.Redis) -> Any:
            try:
                return await client.evalsha(script_sha(script), len(keys), *keys, *args)
            except NoScriptError:  # the script's first run on this server
                return await client.eval(script, len(keys), *keys, *args)

        return await self.guarded(evaluate, what)

    async def guarded(self, command: Callable[[Any], Awaitable], what: str) -> Any:
        """Await ``command`` on this loop's client; ``None`` if Redis failed."""
        try:
            return await command(await self.client())
        except (RedisError, RedisClusterException, OSError):  # (1)!
            self.paused_until = time.monotonic() + self.pause
            logger.warning(
                "Could not %s; no async cache call for %s s: the sync path and the "
                "database answer",
                what,
                self.pause,
            )
            return None

    async def client(self) -> redis.asyncio.Redis:
        """Return this loop's client, opening it on first use."""
        loop = asyncio.get_running_loop()
        if (client := self._clients.get(loop)) is None:
            client = self.connect()
            lifetime = closed_with_the_loop(client)
            await lifetime.asend(None)  # (2)!
            self._clients[loop] = client, lifetime
            return client
        return client[0]

    def connect(self) -> redis.asyncio.Redis | redis.asyncio.RedisCluster:
        """A client of the server (or cluster) the sync cache talks to, with its
        timeouts."""
        sync = get_redis_connection(self.alias)
        if isinstance(sync, RedisCluster):
            return self.connect_cluster(sync)
        pool = sync.connection_pool
        pool = redis.asyncio.ConnectionPool(
            connection_class=self.connection_class(pool.connection_class),
            **settings_of(pool.connection_kwargs),
        )
        return redis.asyncio.Redis(connection_pool=pool)

    def connect_cluster(self, sync: RedisCluster) -> redis.asyncio.RedisCluster:
        """redis-py's asyncio cluster client, started from the sync one's nodes: the
        read script's keys share the store's hash tag, so it runs on one node."""
        nodes = sync.nodes_manager.startup_nodes.values()
        return redis.asyncio.RedisCluster(
            startup_nodes=[ClusterNode(node.host, node.port) for node in nodes],
            retry=Retry(NoBackoff(), 1),  # (3)!
            **settings_of(sync.nodes_manager.connection_kwargs),
        )

    def connection_class(self, sync_class: type) -> type:
        """The asyncio counterpart of the sync cache's connection class."""
        return redis.asyncio.Connection


def settings_of(connection_kwargs: dict[str, Any]) -> dict[str, Any]:
    """What the async client takes from a sync connection's settings."""
    return {
        name: value
        for name, value in connection_kwargs.items()
        if name in CONNECTION_SETTINGS
    }


async def closed_with_the_loop(client: redis.asyncio.Redis) -> AsyncIterator[None]:
    """Keep ``client`` open until its loop shuts down its async generators."""
    try:
        yield
    finally:
        await client.aclose()


# --8<-- [end:reader]
