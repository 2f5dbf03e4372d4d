"""Stampede protection: single flight, stale-while-revalidate and XFetch early refresh."""

SLUG = "stampede"
TITLE = "Stampede protection"
#: What a reader copies into their app: the files (or folder) its page names.
COPY_UNIT = ("recipes/stampede/stampede_guard.py",)
DEPENDENCIES = {"django-redis": ("django_redis", "redis")}
