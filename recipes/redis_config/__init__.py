"""Redis configuration: serializers, compressors, timeouts and failing open, measured."""

SLUG = "redis-config"
TITLE = "Redis cache configuration"
DEPENDENCIES = {"django-redis": ("django_redis", "redis")}
