"""Invalidations as they are often written: each assumes Redis accepts every write."""

from contextlib import suppress

from django.core.cache import caches


# --8<-- [start:naive_bump]
def bump_with_incr_alone(namespaces, names) -> None:
    """Bump each namespace with ``incr``, as if Redis could never refuse it."""
    cache = caches[namespaces.alias]
    for name in names:
        with suppress(ValueError):  # no version yet: the next read starts one
            cache.incr(f"{namespaces.prefix}:{name}")


# --8<-- [end:naive_bump]


# --8<-- [start:naive_tombstone]
def end_with_a_tombstone_alone(auth_cache, keys) -> None:
    """Leave a tombstone under each key, as if Redis could never refuse it."""
    for key in keys:
        caches[auth_cache.alias].set(key, "ended", auth_cache.hold_off)


# --8<-- [end:naive_tombstone]
