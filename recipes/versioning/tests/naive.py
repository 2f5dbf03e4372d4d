"""The naive ``VersionedCache``, as found in the wild: kept to show what it gets wrong."""

from django.core.cache import cache


# --8<-- [start:naive]
class VersionedCache:
    def __init__(self, namespace):
        self.namespace = namespace

    def version(self):
        version = cache.get(f"version:{self.namespace}")
        if version is None:
            version = 1
            cache.set(f"version:{self.namespace}", version, None)
        return version

    def bump(self):
        cache.set(f"version:{self.namespace}", self.version() + 1, None)

    def get(self, key):
        return cache.get(f"{self.namespace}:{self.version()}:{key}")

    def set(self, key, value, timeout=300):
        cache.set(f"{self.namespace}:{self.version()}:{key}", value, timeout)


# --8<-- [end:naive]
