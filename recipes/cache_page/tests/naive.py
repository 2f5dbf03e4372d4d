"""The naive version, as it is found in the wild: kept to show what it gets wrong.

Served only by the pitfall tests, through this module's own URLconf.
"""

from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_page
from django.views.decorators.vary import vary_on_headers
from rest_framework.routers import DefaultRouter

from recipes.bookshop import views as bookshop


# --8<-- [start:naive]
class BookViewSet(bookshop.BookViewSet):
    @method_decorator(cache_page(60))
    @method_decorator(vary_on_headers("Authorization"))
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @method_decorator(cache_page(60 * 5))
    @method_decorator(vary_on_headers("Authorization"))
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


# --8<-- [end:naive]


router = DefaultRouter()
router.register("books", BookViewSet, basename="book")
urlpatterns = router.urls
