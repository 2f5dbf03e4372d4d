"""The bookkeeping as it is often written: invalidations that assume Redis accepts every
write, and a read that assumes Redis keeps every key."""

from contextlib import suppress

from django.core.cache import caches

from recipes.manual_keys.tagged_cache import MISSING, Lookup, TaggedCache


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


# --8<-- [start:naive_read]
class TagStoreThatTrustsItsEntries(TaggedCache):
    """The tag store reading as it is often written: an entry found is an entry served,
    whether or not its tags' sets could still find it to invalidate it."""

    def get(self, key: str) -> Lookup:
        cache = caches[self.alias]
        entry, counter = self.entry_key(key), self._key("invalidations")
        found = cache.get_many([entry, counter])
        return Lookup(found.get(entry, MISSING), found.get(counter))


# --8<-- [end:naive_read]
