"""Report what the cache and the database did for each request, in ``Server-Timing``.

Recipes announce the cache outcome themselves, as a standard ``Server-Timing`` metric named
``cache`` (``cache;desc="hit"``, ``"miss"`` or ``"bypass"``); this middleware adds the
database work of the request (``db;dur=1.7;desc="3 queries"``), and ``cache;desc="bypass"``
when no cache was consulted. Browser devtools show the header; tests and readers use it to
see what the cache did without reading logs.
"""

import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from django.db import connections
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
    """Count the queries of each request and publish them beside the cache outcome."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        counter = QueryCounter()
        with ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(counter))
            response = self.get_response(request)
        reported = response.get("Server-Timing", "")
        metrics = [reported] if reported else []
        if CACHE_METRIC not in parse_server_timing(reported):
            metrics.insert(0, f'{CACHE_METRIC};desc="bypass"')
        metrics.append(counter.metric())
        response["Server-Timing"] = ", ".join(metrics)
        return response


# --8<-- [end:middleware]
