"""Tracked dependencies: each response records the rows and columns it read, and every
write, through any API, ends exactly the entries it changed. Nothing is declared."""

SLUG = "tracked"
TITLE = "Invalidation from what a response read"
#: What a reader copies into their app: the files (or folder) its page names.
COPY_UNIT = ("recipes/tracked/tracked_cache.py", "recipes/tracked/outbox.py")
DEPENDENCIES = {"django-redis": ("django_redis", "redis")}
