"""Cached serializer fields: per-row values read a page at a time, without N+1 round trips."""

SLUG = "serializer-fields"
TITLE = "Cached serializer fields"
DEPENDENCIES = {"django-redis": ("django_redis", "redis")}
