"""The production cache configuration for Redis, as functions that return ``CACHES`` entries.

What the configuration does:

* ``django_redis_cache`` uses django-redis: a choice of serializer (pickle, JSON, msgpack)
  and compressor (none, zlib, lz4, zstd), a connection pool per process, optional replicas
  for reads, and ``IGNORE_EXCEPTIONS``: when Redis is down or slow, a read is a miss and a
  write is skipped, and the error is logged (fail open). The API answers from the database.
* Socket timeouts (connect and read) bound how long a slow or stuck Redis can hold a
  request; without them, a Redis that accepts connections but never answers hangs it.
* The recommended default, pickle with zlib, comes from the measurements on the recipe's
  page: pickle is the only serializer that round-trips every value the recipes store
  (``Decimal``, dates, DRF's ``ReturnList``, rendered responses); zlib shrinks the bookshop's
  list payloads several times over for little time.
* ``builtin_redis_cache`` is Django's own ``RedisCache``, for comparison: pickle only, no
  compression setting, and no fail-open option: with Redis down, every cache call raises.
* ``memory_usage(alias, key)`` asks Redis how many bytes one entry takes (``MEMORY USAGE``).
"""

from typing import Any

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
            "CONNECTION_POOL_KWARGS": {"max_connections": max_connections},
            **(options or {}),
        },
    }


# --8<-- [end:django_redis]


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
