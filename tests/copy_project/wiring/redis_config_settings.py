# Appended to the project's settings for the redis-config recipe.
# --8<-- [start:settings]
import os

from articles.redis_cache import django_redis_cache

CACHES = {"default": django_redis_cache(os.environ["REDIS_URL"])}
# --8<-- [end:settings]
