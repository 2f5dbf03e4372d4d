"""The configurations found in the wild, which the scale-out page shows failing."""

from typing import Any


def builtin_replicated_cache(primary: str, replica: str) -> dict[str, Any]:
    """Django's own ``RedisCache`` with several servers: writes to the first, every read
    from one of the others, whatever the key."""
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": [primary, replica],
    }


def django_redis_replicated_cache(primary: str, replica: str) -> dict[str, Any]:
    """django-redis's default client with a replica: every read from the replica."""
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": [primary, replica],
        "OPTIONS": {"IGNORE_EXCEPTIONS": True},
    }


def django_redis_sentinel_cache(sentinels: list, service: str) -> dict[str, Any]:
    """django-redis's documented Sentinel set-up: it follows the sentinels to the new
    primary, and trusts whatever that primary holds."""
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": f"redis://{service}/0",
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.SentinelClient",
            "CONNECTION_FACTORY": "django_redis.pool.SentinelConnectionFactory",
            "SENTINELS": sentinels,
            "SENTINEL_KWARGS": {"socket_timeout": 0.5},
            "IGNORE_EXCEPTIONS": True,
        },
    }
