"""The cache-aside read found in the wild: get, and on a miss compute and set."""

from django.core.cache import cache


# --8<-- [start:naive]
def get_or_compute(key, compute, timeout=300):
    value = cache.get(key)
    if value is None:  # every request that misses before the first set computes
        value = compute()
        cache.set(key, value, timeout)
    return value


# --8<-- [end:naive]
