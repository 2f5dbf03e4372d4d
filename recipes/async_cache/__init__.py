"""Async views under ASGI: the tracked recipe's hits answered on the event loop, with
redis-py's asyncio client, and its invalidation shared with every sync path."""

SLUG = "async-cache"
TITLE = "Async hits under ASGI, sharing the tracked recipe's invalidation"
#: What a reader copies into their app: the files (or folder) its page names.
COPY_UNIT = (
    "recipes/tracked/tracked_cache.py",
    "recipes/tracked/outbox.py",
    "recipes/tracked/async_hits.py",
)
DEPENDENCIES = {"django-redis": ("django_redis", "redis"), "Django": ("asgiref",)}
