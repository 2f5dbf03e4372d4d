"""Manual cache keys, done right: keys that name every input, and tags that invalidate."""

SLUG = "manual-keys"
TITLE = "Manual cache keys with tag invalidation"
#: What a reader copies into their app: the files (or folder) its page names.
COPY_UNIT = ("recipes/manual_keys/tagged_cache.py",)
DEPENDENCIES = {"django-redis": ("django_redis", "redis")}
