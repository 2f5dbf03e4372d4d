"""The naive signal receivers and cached list, as found in the wild."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from recipes.bookshop import views as bookshop
from recipes.bookshop.models import Book


# --8<-- [start:naive]
class BookViewSet(bookshop.BookViewSet):
    def list(self, request, *args, **kwargs):
        page = request.query_params.get("page", "1")
        data = cache.get(f"book_list_page_{page}")
        if data is None:
            data = super().list(request, *args, **kwargs).data
            cache.set(f"book_list_page_{page}", data, 300)
        return Response(data)


def invalidate_book_lists(sender, **kwargs):
    cache.delete_many(["book_list_page_1", "book_list_page_2"])


post_save.connect(invalidate_book_lists, sender=Book)
post_delete.connect(invalidate_book_lists, sender=Book)
# --8<-- [end:naive]

router = DefaultRouter()
router.register("books", BookViewSet, basename="book")
urlpatterns = router.urls
