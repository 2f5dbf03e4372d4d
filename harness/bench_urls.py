"""The demo's URLs plus the benchmark's references (``harness/references.py``)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from recipes.cache_page.tests import naive
from recipes.urls import urlpatterns as demo

from . import references

extensions = DefaultRouter()
extensions.register("books", references.ExtensionsBookViewSet, basename="book")
extensions_cached_auth = DefaultRouter()
extensions_cached_auth.register(
    "books", references.ExtensionsCachedAuthBookViewSet, basename="book"
)
plain_token = DefaultRouter()
plain_token.register(
    "books", references.PlainTokenMiddlewareBookViewSet, basename="book"
)
seed = DefaultRouter()
seed.register("books", naive.BookViewSet, basename="book")

urlpatterns = [
    *demo,
    path("bench/floor/<str:page>/", references.floor),
    path("bench/floor-redis/<str:page>/", references.floor_with_redis_get),
    path("bench/drf-extensions/", include((extensions.urls, "drf-extensions"))),
    path(
        "bench/drf-extensions-cached-auth/",
        include((extensions_cached_auth.urls, "drf-extensions-cached-auth")),
    ),
    path(
        "bench/middleware-plain-token/",
        include((plain_token.urls, "middleware-plain-token")),
    ),
    path("bench/naive-cache-page/", include((seed.urls, "naive-cache-page"))),
]
