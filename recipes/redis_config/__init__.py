"""Redis configuration: serializers, compressors, timeouts and failing open, measured."""

SLUG = "redis-config"
TITLE = "Redis cache configuration"
#: What a reader copies into their app: the files (or folder) its page names.
COPY_UNIT = ("recipes/redis_config/redis_cache.py",)
DEPENDENCIES = {"django-redis": ("django_redis", "redis")}
