"""Manual cache keys, done right: keys that name every input, and tags that invalidate."""

SLUG = "manual-keys"
TITLE = "Manual cache keys with tag invalidation"
DEPENDENCIES = {"django-redis": ("django_redis", "redis")}
