"""articles/views.py, with the async-cache recipe's mixin for adrf's ``async def``
handlers: ``async_hits.py`` and the tracked recipe's files beside it."""

# --8<-- [start:wiring]
from adrf import viewsets
from asgiref.sync import sync_to_async

from .async_hits import AsyncHandlersMixin, AsyncReader
from .base_views import ArticleViewSet as Uncached
from .tracked_cache import TrackedCache

store = TrackedCache("default", name="articles")


class ArticleViewSet(AsyncHandlersMixin, viewsets.ModelViewSet):
    queryset = Uncached.queryset  # (1)!
    serializer_class = Uncached.serializer_class
    permission_classes = Uncached.permission_classes
    star, perform_star_toggle = Uncached.star, Uncached.perform_star_toggle
    cache_name = "articles"
    cache_store = store
    async_reader = AsyncReader("default")

    async def perform_acreate(self, serializer) -> None:  # (2)!
        await sync_to_async(serializer.save)()

    async def perform_aupdate(self, serializer) -> None:
        await sync_to_async(serializer.save)()


# --8<-- [end:wiring]
