"""Scale-out: replicas, client-side shards, Redis Cluster and Sentinel, kept correct."""

SLUG = "scale-out"
TITLE = "Beyond one Redis"
#: What a reader copies into their app: the files (or folder) its page names.
COPY_UNIT = ("recipes/scale_out/redis_topologies.py",)
DEPENDENCIES = {"django-redis": ("django_redis", "redis")}
