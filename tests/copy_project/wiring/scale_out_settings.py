# Appended to the project's settings for the scale-out recipe: a Redis Cluster.
# --8<-- [start:settings]
import os

from articles.redis_topologies import cluster_cache

CACHES = {"default": cluster_cache(os.environ["REDIS_CLUSTER_URLS"].split(","))}
# --8<-- [end:settings]
