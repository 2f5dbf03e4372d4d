"""Signal invalidation: model events, bulk writes included, bump namespaces after commit."""

SLUG = "signals"
TITLE = "Invalidation from model signals"
#: What a reader copies into their app: the files (or folder) its page names.
COPY_UNIT = (
    "recipes/versioned/__init__.py",
    "recipes/versioned/namespaces.py",
    "recipes/versioned/early.py",
    "recipes/versioned/signals.py",
)
#: Optional: with django-redis, a hit that reads the bytes a hit before it found current
#: decodes nothing; with any other cache backend, the recipe works as it is.
DEPENDENCIES = {"django-redis": ("django_redis", "redis")}
