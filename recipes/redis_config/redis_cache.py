# From the DRF caching cookbook 0.8.2 (its CHANGELOG.md says what changed since).
# Supports Django 5.2 LTS (5.2.19+) on Python 3.11+, and Django 6 on Python 3.12+.
"""The production cache configuration for Redis, as functions that return ``CACHES`` entries.

What the configuration does:

* ``django_redis_cache`` uses django-redis: a choice of serializer (pickle, JSON, msgpack)
  and compressor (none, zlib, lz4, zstd), a connection pool per process, optional replicas
  for reads, and ``IGNORE_EXCEPTIONS``: when Redis is down or slow, a read is a miss and a
  write is skipped, and the error is logged (fail open). The API answers from the database.
* Socket timeouts (connect and read) bound how long a slow or stuck Redis can hold a
  request; without them, a Redis that accepts connections but never answers hangs it.
* A circuit breaker bounds it to one timeout: after a timeout, the process stops calling
  that Redis for ``breaker_cooldown`` seconds (every call fails at once, so reads miss and
  writes are skipped), then lets calls through again. A request that needs several cache
  calls (a version read, an entry read, a store) waits for one timeout, not one per call.
  A refused connection is not a timeout: it costs nothing, so it does not open the breaker.
* The recommended default, pickle with zlib, comes from the measurements on the recipe's
  page: pickle is the only serializer that round-trips every value the recipes store
  (``Decimal``, dates, DRF's ``ReturnList``, rendered responses); zlib shrinks the bookshop's
  list payloads several times over for little time.
* ``builtin_redis_cache`` is Django's own ``RedisCache``, for comparison: pickle only, no
  compression setting, and no fail-open option: with Redis down, every cache call raises.
* ``memory_usage(alias, key)`` asks Redis how many bytes one entry takes (``MEMORY USAGE``).
"""

import logging
import threading
import time
from functools import cache
from typing import Any

import redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

SERIALIZERS = {
    "pickle": "django_redis.serializers.pickle.PickleSerializer",
    "json": "django_redis.serializers.json.JSONSerializer",
    "msgpack": "django_redis.serializers.msgpack.MSGPackSerializer",
}
COMPRESSORS = {
    "none": "django_redis.compressors.identity.IdentityCompressor",
    "zlib": "django_redis.compressors.zlib.ZlibCompressor",
    "lz4": "django_redis.compressors.lz4.Lz4Compressor",
    "zstd": "django_redis.compressors.zstd.ZStdCompressor",
}


# --8<-- [start:django_redis]
def django_redis_cache(
    url: str,
    *,
    serializer: str = "pickle",
    compressor: str = "zlib",
    connect_timeout: float = 0.5,
    read_timeout: float = 0.5,
    fail_open: bool = True,
    max_connections: int = 50,
    replicas: tuple[str, ...] = (),
    key_prefix: str = "",
    breaker_cooldown: float = 5.0,
    connection_class: type[redis.Connection] = redis.Connection,
    options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Return a django-redis ``CACHES`` entry with bounded timeouts that fails open."""
    if serializer not in SERIALIZERS or compressor not in COMPRESSORS:
        raise ValueError(
            f"serializer must be one of {sorted(SERIALIZERS)} and compressor one of "
            f"{sorted(COMPRESSORS)}; got {serializer!r} and {compressor!r}"
        )
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": [url, *replicas],  # (1)!
        "KEY_PREFIX": key_prefix,
        "OPTIONS": {
            "SERIALIZER": SERIALIZERS[serializer],
            "COMPRESSOR": COMPRESSORS[compressor],
            "SOCKET_CONNECT_TIMEOUT": connect_timeout,  # (2)!
            "SOCKET_TIMEOUT": read_timeout,
            "IGNORE_EXCEPTIONS": fail_open,  # (3)!
            "CONNECTION_POOL_KWARGS": {
                "max_connections": max_connections,
                "connection_class": with_circuit_breaker(  # (4)!
                    connection_class, breaker_cooldown
                ),
            },
            **(options or {}),
        },
    }


# --8<-- [end:django_redis]


# --8<-- [start:breaker]
class CircuitBreaker:
    """Which Redis servers timed out lately, per process: calls to them fail at once."""

    def __init__(self) -> None:
        self._open_until: dict[str, float] = {}
        self._lock = threading.Lock()
        self.timeouts = 0  # how many timeouts opened the breaker
        self.refused = 0  # how many calls it answered at once instead

    def refuse_if_open(self, server: str) -> None:
        """Raise at once if ``server`` timed out less than its cooldown ago."""
        if time.monotonic() < self._open_until.get(server, 0.0):
            with self._lock:
                self.refused += 1
            raise RedisConnectionError(f"circuit open: {server} timed out recently")

    def trip(self, server: str, cooldown: float) -> None:
        """Stop calling ``server`` for ``cooldown`` seconds, and say so in the log."""
        with self._lock:
            self.timeouts += 1
            self._open_until[server] = time.monotonic() + cooldown
        logger.warning(
            "Redis at %s timed out: the cache is bypassed for %.1f s", server, cooldown
        )

    def is_open(self, server: str) -> bool:
        return time.monotonic() < self._open_until.get(server, 0.0)

    def reset(self) -> None:
        """Close every circuit and zero the counters (tests; after an operator's fix)."""
        with self._lock:
            self._open_until.clear()
            self.timeouts = self.refused = 0


BREAKER = CircuitBreaker()


class CircuitBreakerMixin:
    """A redis-py connection that consults ``BREAKER`` before it talks to its server."""

    cooldown: float = 5.0
    host: str
    port: int

    def connect(self) -> None:
        self._guarded(super().connect)

    def send_packed_command(self, *args: Any, **kwargs: Any) -> None:
        self._guarded(super().send_packed_command, *args, **kwargs)

    def read_response(self, *args: Any, **kwargs: Any) -> Any:
        return self._guarded(super().read_response, *args, **kwargs)

    def _guarded(self, call: Any, *args: Any, **kwargs: Any) -> Any:
        server = f"{self.host}:{self.port}"
        BREAKER.refuse_if_open(server)
        try:
            return call(*args, **kwargs)
        except RedisTimeoutError:  # a refused connection is quick, and not counted
            BREAKER.trip(server, self.cooldown)
            raise


@cache
def with_circuit_breaker(
    connection_class: type[redis.Connection], cooldown: float
) -> type[redis.Connection]:
    """Return ``connection_class`` guarded by the process's circuit breaker."""
    name = f"CircuitBreaker{connection_class.__name__}"
    return type(name, (CircuitBreakerMixin, connection_class), {"cooldown": cooldown})


# --8<-- [end:breaker]


# --8<-- [start:builtin]
def builtin_redis_cache(
    url: str, *, connect_timeout: float = 0.5, read_timeout: float = 0.5
) -> dict[str, Any]:
    """Return a ``CACHES`` entry for Django's own ``RedisCache``, with the same timeouts."""
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "OPTIONS": {  # passed to redis-py's connection pool
            "socket_connect_timeout": connect_timeout,
            "socket_timeout": read_timeout,
        },
    }


# --8<-- [end:builtin]


def memory_usage(alias: str, key: str) -> int | None:
    """Return the bytes Redis uses for the cache entry ``key`` (``MEMORY USAGE``)."""
    from django.core.cache import caches
    from django_redis import get_redis_connection

    return get_redis_connection(alias).memory_usage(caches[alias].make_key(key))
