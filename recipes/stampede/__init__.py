"""Stampede protection: single flight, stale-while-revalidate and XFetch early refresh."""

SLUG = "stampede"
TITLE = "Stampede protection"
DEPENDENCIES = {"django-redis": ("django_redis", "redis")}
# The guard stands alone; its mixins plug into these recipes' hooks.
RECIPE_DEPENDENCIES = ("recipes.versioning.caching", "recipes.middleware.caching")
