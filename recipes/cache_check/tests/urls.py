"""The API the pitfall tests check: the naive caches, each under its own prefix, beside
the schema that describes them."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from recipes.bookshop import views as bookshop
from recipes.cache_page.tests import naive as naive_cache_page
from recipes.manual_keys.tests import naive as naive_manual_keys

from .naive import BookViewSetMissingANamespace


def api(books: type) -> list:
    """Books cached as ``books`` does; authors and reviews as the demo serves them."""
    router = DefaultRouter()
    router.register("books", books, basename="book")
    router.register("authors", bookshop.AuthorViewSet, basename="author")
    return router.urls


urlpatterns = [
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/naive-manual-keys/", include(api(naive_manual_keys.BookViewSet))),
    path("api/missing-namespace/", include(api(BookViewSetMissingANamespace))),
    path("api/naive-cache-page/", include(api(naive_cache_page.BookViewSet))),
    path("api/signals/", include("recipes.signals.urls")),
]
