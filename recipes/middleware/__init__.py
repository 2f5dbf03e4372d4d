"""A response cache for ViewSets that cannot leak: keyed on what DRF resolved."""

SLUG = "middleware"
TITLE = "A response cache for ViewSets that cannot leak"
#: What a reader copies into their app: the files (or folder) its page names.
COPY_UNIT = ("recipes/middleware/response_cache.py",)
#: Optional: with django-redis, a hit that reads the bytes a hit before it found current
#: decodes nothing; with any other cache backend, the recipe works as it is.
DEPENDENCIES = {"django-redis": ("django_redis", "redis")}
