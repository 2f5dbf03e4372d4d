"""Cached serializer fields: per-row values read a page at a time, without N+1 round trips."""

SLUG = "serializer-fields"
TITLE = "Cached serializer fields"
#: What a reader copies into their app: the files (or folder) its page names.
COPY_UNIT = ("recipes/serializer_fields/cached_fields.py",)
DEPENDENCIES = {"django-redis": ("django_redis", "redis")}
