"""The bookshop's books and authors as adrf ViewSets, whose ``async def`` handlers
(``alist``, ``aretrieve``) are cached: the same tracked store as every other view, so a
write anywhere ends what they serve."""

from adrf import viewsets
from adrf.routers import SimpleRouter
from django.urls import include, path

from recipes.bookshop.models import Author, Book
from recipes.bookshop.serializers import AuthorSerializer, BookSerializer
from recipes.tracked.async_hits import AsyncHandlersMixin
from recipes.tracked.views import store

from .views import reader


# --8<-- [start:handlers]
class BookViewSet(AsyncHandlersMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Book.objects.select_related("author").order_by("id")
    serializer_class = BookSerializer
    cache_name = "adrf-books"
    cache_store = store
    async_reader = reader


class AuthorViewSet(AsyncHandlersMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Author.objects.order_by("id")
    serializer_class = AuthorSerializer
    cache_name = "adrf-authors"
    cache_store = store
    async_reader = reader


# --8<-- [end:handlers]


router = SimpleRouter()  # adrf's: a GET goes to ``alist`` and ``aretrieve``
router.register("books", BookViewSet, basename="adrf-book")
router.register("authors", AuthorViewSet, basename="adrf-author")
#: The URLconf the tests serve: the handlers, and the uncached API to compare them with.
urlpatterns = [
    path("api/async-cache/adrf/", include(router.urls)),
    path("api/uncached/", include(("recipes.bookshop.urls", "uncached"))),
]
