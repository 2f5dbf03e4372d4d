# From the DRF caching cookbook 0.8.2 (its CHANGELOG.md says what changed since).
# Supports Django 5.2 LTS (5.2.19+) on Python 3.11+, and Django 6 on Python 3.12+.
"""Cache hit and miss ratios you can see: Prometheus metrics, a JSON summary, Redis's INFO.

What is counted, and where:

* Every response's cache outcome (``hit``, ``miss``, ``stale``, ``bypass``, ...), by URL
  namespace and route, read from the ``Server-Timing`` metric named ``cache`` that a
  response cache announces (``cache;desc="hit"``): ``CacheMetricsMiddleware`` reads one
  header per response and adds nothing else to the hit path. A response that announces
  nothing counts as ``bypass``.
* Every command the cache sends to Redis (``get``, ``set``, ``del``, ``incrby``,
  ``evalsha``, ...), by key group: the first ``:``-separated part of the key after
  Django's prefix and version (``ns`` in ``:1:ns:books``), or ``other`` for a key with no
  group. Sets, deletes and invalidations (a version's ``incrby``, a tag script's
  ``evalsha``) are commands of their groups. ``CountingConnectionPool``, named in
  ``CACHES``, counts at the redis-py connection that django-redis (or Django's
  ``RedisCache``) uses, so code that talks to Redis directly (``get_redis_connection``)
  is counted too.
* Every error the connection meets (``ConnectionError``, ``TimeoutError``): the cache
  fails open, and this is where it says so.
* Redis's own ``INFO`` figures (keyspace hits and misses, evictions, memory used,
  connected clients), read from each Redis cache at scrape time.

The counters are prometheus_client's. Under several gunicorn workers, set
``PROMETHEUS_MULTIPROC_DIR`` to an empty directory before the server starts: every worker
writes its counts there, and a scrape of any worker adds them up. ``MetricsViewSet`` answers
in Prometheus's text format, ``SummaryViewSet`` in JSON with hit ratios; both are for
operators (``IsAdminUser`` unless you say otherwise).
"""

import json
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import Any

import redis
from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from prometheus_client import CollectorRegistry, Counter, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from rest_framework.permissions import IsAdminUser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import ViewSet

REGISTRY = CollectorRegistry()  # the cookbook's own: nothing else shows on its page

# --8<-- [start:counters]
RESPONSES = Counter(
    "drf_cache_responses",
    "Responses by the cache outcome they announce in Server-Timing.",
    ["namespace", "route", "outcome"],
    registry=REGISTRY,
)
COMMANDS = Counter(
    "drf_cache_commands",
    "Commands sent to the cache's Redis, by key group.",
    ["command", "group"],
    registry=REGISTRY,
)
ERRORS = Counter(
    "drf_cache_errors",
    "Errors met talking to the cache's Redis (the cache failed open).",
    ["error"],
    registry=REGISTRY,
)


SERIES: dict[Counter, dict[tuple[str, ...], Any]] = {
    RESPONSES: {},
    COMMANDS: {},
    ERRORS: {},
}


def increment(counter: Counter, *labels: str) -> None:
    """Add one to the series of ``labels``: ``labels()`` looks a series up under a lock,
    so each one found is kept for the next time."""
    series = SERIES[counter].get(labels)
    if series is None:
        series = SERIES[counter][labels] = counter.labels(*labels)
    series.inc()


def reset_counters() -> None:
    """Forget every count of this process (tests; multiprocess files are left alone)."""
    for counter, series in SERIES.items():
        counter.clear()
        series.clear()


# --8<-- [end:counters]

OUTCOME = re.compile(r'(?:^|,)\s*cache\s*;[^,]*desc="?(?P<outcome>[\w-]+)')
DJANGO_KEY = re.compile(rb"^[^:]*:\d+:")  # KEY_PREFIX:VERSION: of Django's make_key
GROUP = re.compile(rb"^(?P<group>[\w{}.-]{1,40}):")
KEYLESS = {"ping", "info", "multi", "exec", "select", "client", "hello", "flushdb"}


# --8<-- [start:middleware]
class CacheMetricsMiddleware:
    """Count each response by the cache outcome it announces, its URL namespace and
    route. Place it after any middleware that adds to ``Server-Timing`` itself. Sync and
    async: under ASGI it awaits an async view without a thread of its own."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if iscoroutinefunction(self):
            return self.__acall__(request)
        return count_response(request, self.get_response(request))

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        return count_response(request, await self.get_response(request))


def count_response(
    request: HttpRequest, response: HttpResponseBase
) -> HttpResponseBase:
    match = request.resolver_match
    if match is not None:  # (1)!
        found = OUTCOME.search(response.get("Server-Timing", ""))
        outcome = found["outcome"] if found else "bypass"
        increment(RESPONSES, match.namespace, match.url_name or "", outcome)
    return response


# --8<-- [end:middleware]


# --8<-- [start:connection]
class CountingMixin:
    """A redis-py connection that counts the commands it sends and the errors it meets."""

    def send_command(self, *args: Any, **kwargs: Any) -> None:
        count_command(args)
        super().send_command(*args, **kwargs)

    def pack_commands(self, commands: Iterable[tuple]) -> list[bytes]:
        commands = list(commands)
        for command in commands:  # a pipeline or a transaction: sent as one
            count_command(command)
        return super().pack_commands(commands)

    def connect(self) -> None:
        try:  # (1)!
            super().connect()
        except REDIS_ERRORS as error:
            count_error(error)
            raise

    def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        try:
            super().send_packed_command(command, check_health)
        except REDIS_ERRORS as error:
            count_error(error)
            raise

    def read_response(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().read_response(*args, **kwargs)
        except REDIS_ERRORS as error:
            count_error(error)
            raise


REDIS_ERRORS = (redis.ConnectionError, redis.TimeoutError)


def count_error(error: Exception) -> None:
    """Count an error once, in the first method it leaves (``connect`` is called from
    ``send_packed_command`` too)."""
    if not getattr(error, "counted_by_cache_metrics", False):
        error.counted_by_cache_metrics = True
        increment(ERRORS, type(error).__name__)


@cache
def counting_connection(
    connection_class: type[redis.Connection] = redis.Connection,
) -> type[redis.Connection]:
    """Return ``connection_class`` with its commands and errors counted."""
    name = f"Counting{connection_class.__name__}"
    return type(name, (CountingMixin, connection_class), {})


class CountingConnectionPool(redis.ConnectionPool):
    """A redis-py pool of counting connections, named in ``CACHES`` by its path:
    ``CONNECTION_POOL_CLASS`` for django-redis, ``pool_class`` for Django's own."""

    def __init__(
        self, connection_class: type[redis.Connection] = redis.Connection, **kwargs: Any
    ) -> None:
        super().__init__(
            connection_class=counting_connection(connection_class), **kwargs
        )


def count_command(args: tuple) -> None:
    """Count one command by its name and the group of the first key it names."""
    name = NAMES.get(args[0]) or NAMES.setdefault(
        args[0], as_bytes(args[0]).decode().lower()
    )
    increment(COMMANDS, name, key_group(name, args))


NAMES: dict[Any, str] = {}  # "GET", b"GET" -> "get"


def key_group(name: str, args: tuple) -> str:
    """Return the group of the first key a command names: ``-`` when it names none."""
    if name in KEYLESS or len(args) < 2:
        return "-"
    if name in ("eval", "evalsha"):  # script, number of keys, keys..., arguments...
        if len(args) < 4 or int(args[2]) == 0:
            return "-"
        key = args[3]
    else:
        key = args[1]
    if isinstance(key, str):  # as django-redis sends it: KEY_PREFIX:VERSION:group:rest
        version = key.find(":") + 1
        group = key.find(":", version) + 1
        end = key.find(":", group)
        numbered = key[version : group - 1].isdigit()
        if version and group and numbered and 0 < end - group <= 40:
            return key[group:end]
    found = GROUP.match(DJANGO_KEY.sub(b"", as_bytes(key), count=1))  # other shapes
    return found["group"].decode() if found else "other"


def as_bytes(value: Any) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()


# --8<-- [end:connection]


# --8<-- [start:redis_info]
INFO_FIELDS = {
    "keyspace_hits": "Lookups that found their key, since the server started.",
    "keyspace_misses": "Lookups that did not, since the server started.",
    "evicted_keys": "Keys removed to stay under maxmemory, since the server started.",
    "used_memory": "Bytes the server has allocated.",
    "maxmemory": "Its memory limit in bytes (0: none).",
    "connected_clients": "Client connections open now.",
}


def redis_info() -> dict[str, dict[str, int] | None]:
    """Return each Redis cache's ``INFO`` figures, or ``None`` where it cannot say."""
    figures: dict[str, dict[str, int] | None] = {}
    for alias in caches:
        client = redis_client(alias)
        if client is None:
            continue
        try:
            info = client.info()
        except redis.RedisError:  # down, or a server without INFO (fakeredis)
            figures[alias] = None
            continue
        figures[alias] = {field: int(info.get(field, 0)) for field in INFO_FIELDS}
    return figures


def redis_client(alias: str) -> redis.Redis | None:
    """Return the redis-py client behind the cache ``alias``, if it is a Redis cache."""
    cache = caches[alias]
    if hasattr(cache, "client") and hasattr(cache.client, "get_client"):
        return cache.client.get_client(write=True)  # django-redis
    if hasattr(cache, "_cache") and hasattr(cache._cache, "get_client"):
        return cache._cache.get_client(write=True)  # Django's own RedisCache
    return None


class RedisInfoCollector:
    """Expose each Redis cache's ``INFO`` figures as gauges, read when scraped."""

    def collect(self) -> Iterator[Metric]:
        figures = redis_info()
        for field, help_text in INFO_FIELDS.items():
            gauge = GaugeMetricFamily(
                f"drf_cache_redis_{field}", help_text, labels=["alias"]
            )
            for alias, values in figures.items():
                if values is not None:
                    gauge.add_metric([alias], values[field])
            yield gauge


# --8<-- [end:redis_info]


# --8<-- [start:endpoints]
def counted() -> CollectorRegistry:
    """Return the registry that holds the counts of every worker process."""
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return REGISTRY  # one process: its own counters
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # (1)!
    return registry


def exposition() -> bytes:
    """Return every counter and Redis's figures, in Prometheus's text format."""
    server = CollectorRegistry()
    server.register(RedisInfoCollector())
    return generate_latest(counted()) + generate_latest(server)


def summary() -> dict[str, Any]:
    """Return the counters as JSON-ready totals, with a hit ratio per namespace."""
    responses: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    commands: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    errors: dict[str, float] = defaultdict(float)
    for metric in counted().collect():
        for sample in metric.samples:
            labels = sample.labels
            if sample.name == "drf_cache_responses_total":
                responses[labels["namespace"]][labels["outcome"]] += sample.value
            elif sample.name == "drf_cache_commands_total":
                commands[labels["group"]][labels["command"]] += sample.value
            elif sample.name == "drf_cache_errors_total":
                errors[labels["error"]] += sample.value
    return {
        "responses": {
            name: with_hit_ratio(counts) for name, counts in responses.items()
        },
        "commands": commands,
        "errors": errors,
        "redis": redis_info(),
    }


def with_hit_ratio(counts: dict[str, float]) -> dict[str, float | None]:
    """Return ``counts`` with ``hit_ratio``: hits (fresh or stale) over lookups."""
    served = counts.get("hit", 0) + counts.get("stale", 0)
    looked_up = served + counts.get("miss", 0)
    return {**counts, "hit_ratio": round(served / looked_up, 4) if looked_up else None}


class PrometheusTextRenderer(BaseRenderer):
    """Accept what a scraper asks for (``text/plain``); errors are shown as JSON text."""

    media_type = "text/plain"
    format = "prometheus"
    charset = "utf-8"

    def render(self, data: Any, *args: Any, **kwargs: Any) -> bytes:
        return data if isinstance(data, bytes) else json.dumps(data).encode()


class MetricsViewSet(ViewSet):
    """The counters in Prometheus's text format, for a scraper."""

    permission_classes = [IsAdminUser]  # (2)!
    renderer_classes = [PrometheusTextRenderer]

    def list(self, request: Request) -> HttpResponse:
        return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)


class SummaryViewSet(ViewSet):
    """The counters as JSON: outcomes and hit ratio per namespace, commands, errors."""

    permission_classes = [IsAdminUser]

    def list(self, request: Request) -> Response:
        return Response(summary())


# --8<-- [end:endpoints]
