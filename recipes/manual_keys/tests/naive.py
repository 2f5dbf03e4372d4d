"""The naive version, as found in the wild: kept to show what it gets wrong."""

import hashlib

from django.core.cache import cache, caches
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from recipes.bookshop import views as bookshop
from recipes.manual_keys.tagged_cache import TaggedCache


# --8<-- [start:naive]
def make_cache_key(view_name, user_id, params):
    raw = f"{view_name}{user_id}" + "".join(
        f"{k}{v}" for k, v in sorted(params.items())
    )
    return "api_" + hashlib.md5(raw.encode()).hexdigest()


def get_or_compute(key, compute, timeout=300):
    data = cache.get(key)
    if data:  # an empty list, 0 or None reads as a miss
        return data
    data = compute()
    cache.set(key, data, timeout)
    return data


class BookViewSet(bookshop.BookViewSet):
    def list(self, request, *args, **kwargs):
        key = make_cache_key("book_list", request.user.id, request.query_params)
        data = get_or_compute(key, lambda: super(BookViewSet, self).list(request).data)
        return Response(data)

    def perform_create(self, serializer):
        super().perform_create(serializer)
        cache.delete_many(["book_list_page_1", "book_list_page_2"])  # never written


# --8<-- [end:naive]


router = DefaultRouter()
router.register("books", BookViewSet, basename="book")
urlpatterns = router.urls


# --8<-- [start:naive_store]
class UncheckedTaggedCache(TaggedCache):
    """The tag store as first written: it stores whatever a read computed, whenever."""

    def set(self, key, value, *, tags, timeout, seen):
        cache = caches[self.alias]
        cache.set(self.entry_key(key), value, timeout)
        entry = cache.make_key(self.entry_key(key))
        record = cache.make_key(self.marks_key(key))
        tags = sorted(set(tags))
        keys = self._tag_keys(tags)
        tag_sets, markers = keys[: len(tags)], keys[len(tags) :]
        redis = self._redis(entry)
        marks = {
            marker: now or b"0"
            for marker, now in zip(markers, redis.mget(markers), strict=True)
        }
        with redis.pipeline(transaction=True) as pipe:
            for tag_set in tag_sets:
                pipe.sadd(tag_set, entry)
                pipe.expire(tag_set, self.max_timeout)
            pipe.hset(record, mapping=marks)
            pipe.expire(record, timeout)
            pipe.execute()
        return True


# --8<-- [end:naive_store]
