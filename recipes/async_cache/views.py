"""The tracked recipe's bookshop, its hits answered on the event loop: the same store, so
a write anywhere ends what async readers see."""

import fakeredis
from fakeredis.aioredis import FakeAsyncRedisConnection

from recipes.tracked import views as tracked
from recipes.tracked.async_hits import AsyncHitsMixin, AsyncReader


class DemoReader(AsyncReader):
    """Without ``REDIS_URL`` the demo's cache is an in-process fakeredis server: read it
    with fakeredis's asyncio connection, which shares that server."""

    def connection_class(self, sync_class: type) -> type:
        if issubclass(sync_class, fakeredis.FakeRedisConnection):
            return FakeAsyncRedisConnection
        return super().connection_class(sync_class)


reader = DemoReader("default")


# --8<-- [start:views]
class BookViewSet(AsyncHitsMixin, tracked.BookViewSet):
    async_reader = reader


class AuthorViewSet(AsyncHitsMixin, tracked.AuthorViewSet):
    async_reader = reader


# --8<-- [end:views]

ReviewViewSet = tracked.ReviewViewSet
