"""``python -m recipes.redis_config``: the recipe's story, on the embedded fakeredis."""

import json

from recipes.bookshop import sandbox


def main() -> None:
    sandbox.start()
    from django.core.cache import caches
    from django.test import override_settings
    from django_redis import get_redis_connection

    from recipes.redis_config.redis_cache import (
        COMPRESSORS,
        SERIALIZERS,
        django_redis_cache,
    )

    page = json.loads(sandbox.client("anonymous").get("/api/uncached/books/").content)
    print("The bookshop's list page, stored with each serializer and compressor:")
    for serializer in SERIALIZERS:
        for compressor in COMPRESSORS:
            config = django_redis_cache(
                "redis://story:6379/0",
                serializer=serializer,
                compressor=compressor,
                connection_class=fake_redis(),
            )
            with override_settings(CACHES={"default": config}):
                caches["default"].set("page", page)
                size = get_redis_connection().strlen(caches["default"].make_key("page"))
            print(f"  {serializer:<8} {compressor:<5} {size:>6,} bytes")

    print("\nOn the configured cache (pickle and zlib), a hit as usual:")
    alice = sandbox.client("alice-token")
    sandbox.tell("cache-page list", alice, "GET", "/api/cache-page/books/")
    sandbox.tell("cache-page list", alice, "GET", "/api/cache-page/books/")

    print("\nWith Redis down, the API still answers, from the database:")
    logged = sandbox.collect_cache_errors()
    down = django_redis_cache("redis://127.0.0.1:1/0")
    with override_settings(CACHES={"default": down}):
        bob = sandbox.client("bob-token")
        sandbox.tell("cache-page list", bob, "GET", "/api/cache-page/books/")
        status = (
            sandbox.client("anonymous").get("/api/redis-config/cache-status/").json()
        )
    print(f"  cache status: {status[0]}")
    print(f"  errors logged by django_redis: {len(logged)}")


def fake_redis() -> type:
    import fakeredis

    return fakeredis.FakeRedisConnection


if __name__ == "__main__":
    main()
