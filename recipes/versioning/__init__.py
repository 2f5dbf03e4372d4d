"""Namespace versioning: bump a number to invalidate a whole group of entries at once."""

SLUG = "versioning"
TITLE = "Namespace versioning"
#: What a reader copies into their app: the files (or folder) its page names.
COPY_UNIT = (
    "recipes/versioned/__init__.py",
    "recipes/versioned/namespaces.py",
    "recipes/versioned/early.py",
)
#: Optional: with django-redis, a hit that reads the bytes a hit before it found current
#: decodes nothing; with any other cache backend, the recipe works as it is.
DEPENDENCIES = {"django-redis": ("django_redis", "redis")}
