"""Report what the cache and the database did for each request, in ``Server-Timing``.

Recipes announce the cache outcome themselves, as a standard ``Server-Timing`` metric named
``cache`` (``cache;desc="hit"``, ``"miss"`` or ``"bypass"``); this middleware adds the
database work of the request (``db;dur=1.7;desc="3 queries"``), and ``cache;desc="bypass"``
when no cache was consulted. Browser devtools show the header; tests and readers use it to
see what the cache did without reading logs.
"""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.db import connections
from django.db.backends.signals import connection_created
from django.http import HttpRequest, HttpResponse

CACHE_METRIC = "cache"


class QueryCounter:
    """A database execute wrapper that counts queries and adds up their time."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(
        self, execute: Callable, sql: str, params: Any, many: bool, context: dict
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1

    def metric(self) -> str:
        noun = "query" if self.count == 1 else "queries"
        return f'db;dur={self.seconds * 1000:.1f};desc="{self.count} {noun}"'


def parse_server_timing(header: str) -> dict[str, dict[str, str]]:
    """Return ``{metric: {param: value}}`` from a ``Server-Timing`` header value."""
    metrics: dict[str, dict[str, str]] = {}
    for entry in filter(None, (part.strip() for part in header.split(","))):
        name, *params = (piece.strip() for piece in entry.split(";"))
        metrics[name] = {
            key.strip(): value.strip().strip('"')
            for key, _, value in (param.partition("=") for param in params)
        }
    return metrics


@dataclass(frozen=True)
class Timing:
    """What a response's ``Server-Timing`` header says the cache and the database did."""

    cache: str
    queries: int


def read_timing(response: HttpResponse) -> Timing:
    """Return the cache outcome and query count a response reports."""
    metrics = parse_server_timing(response["Server-Timing"])
    return Timing(
        cache=metrics["cache"]["desc"], queries=int(metrics["db"]["desc"].split()[0])
    )


# --8<-- [start:middleware]
class ServerTimingMiddleware:
    """Count the queries of each request and publish them beside the cache outcome.

    Sync and async: under ASGI an async view is awaited without a thread of this
    middleware's own. The count follows the request's context, into the worker threads
    where its sync code runs (asgiref carries the context there), through a wrapper that
    every database connection gets once."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)
        connection_created.connect(count_queries_of, dispatch_uid=__name__)
        for connection in connections.all(initialized_only=True):
            count_queries_of(connection)

    def __call__(self, request: HttpRequest) -> Any:
        if iscoroutinefunction(self):
            return self.__acall__(request)
        with counting_queries() as counter:
            response = self.get_response(request)
        return reported(response, counter)

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        with counting_queries() as counter:
            response = await self.get_response(request)
        return reported(response, counter)


@contextmanager
def counting_queries() -> Iterator[QueryCounter]:
    """Count the queries of the block, and of the threads its context is carried into."""
    counter = QueryCounter()
    counting = _counter.set(counter)
    try:
        yield counter
    finally:
        _counter.reset(counting)


def reported(response: HttpResponse, counter: QueryCounter) -> HttpResponse:
    announced = response.get("Server-Timing", "")
    metrics = [announced] if announced else []
    if CACHE_METRIC not in parse_server_timing(announced):
        metrics.insert(0, f'{CACHE_METRIC};desc="bypass"')
    metrics.append(counter.metric())
    response["Server-Timing"] = ", ".join(metrics)
    return response


def count_queries_of(connection: Any, **kwargs: Any) -> None:
    """Give ``connection`` the wrapper that counts for the request being served."""
    if counted_query not in connection.execute_wrappers:
        connection.execute_wrappers.append(counted_query)


def counted_query(
    execute: Callable, sql: str, params: Any, many: bool, context: dict
) -> Any:
    counter = _counter.get()
    if counter is None:  # outside a request: a command, a test's own query
        return execute(sql, params, many, context)
    return counter(execute, sql, params, many, context)


_counter: ContextVar[QueryCounter | None] = ContextVar("queries", default=None)


# --8<-- [end:middleware]
