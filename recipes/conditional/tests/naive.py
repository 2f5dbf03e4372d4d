"""The version found in the wild: Last-Modified from the newest ``updated_at``.

Served only by the pitfall tests, through this module's own URLconf.
"""

from django.db.models import Max
from django.utils.decorators import method_decorator
from django.views.decorators.http import last_modified
from rest_framework.routers import DefaultRouter

from recipes.bookshop import views as bookshop
from recipes.bookshop.models import Book


# --8<-- [start:naive]
def latest_book_change(request, *args, **kwargs):
    return Book.objects.aggregate(latest=Max("updated_at"))["latest"]


class BookViewSet(bookshop.BookViewSet):
    @method_decorator(last_modified(latest_book_change))
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


# --8<-- [end:naive]


router = DefaultRouter()
router.register("books", BookViewSet, basename="book")
router.register("reviews", bookshop.ReviewViewSet, basename="review")
urlpatterns = router.urls
