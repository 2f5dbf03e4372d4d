"""The usual decorator, as found in the wild: kept to show what it tells a CDN."""

from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_control
from rest_framework.routers import DefaultRouter

from recipes.bookshop import views as bookshop


# --8<-- [start:naive]
class BookViewSet(bookshop.BookViewSet):
    @method_decorator(cache_control(public=True, max_age=60))
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


# --8<-- [end:naive]


router = DefaultRouter()
router.register("books", BookViewSet, basename="book")
urlpatterns = router.urls
