"""Book ViewSets of the versioning recipe whose hits must pass DRF's checks: a permission
that reads the caller's groups, a throttle, and DRF's own token authentication, which
names no cached entry."""

from django.urls import include, path
from rest_framework.authentication import TokenAuthentication
from rest_framework.routers import SimpleRouter

from harness.early_path import InReaders, TwoAMinute
from recipes.versioning import views as versioning


class ReadersBooks(versioning.BookViewSet):
    cache_name = "readers-books"
    permission_classes = [InReaders]


class ThrottledBooks(versioning.BookViewSet):
    cache_name = "throttled-books"
    throttle_classes = [TwoAMinute]


class DatabaseTokenBooks(versioning.BookViewSet):
    cache_name = "database-token-books"
    authentication_classes = [TokenAuthentication]


VIEWSETS = {
    "readers": ReadersBooks,
    "throttled": ThrottledBooks,
    "database-token": DatabaseTokenBooks,
    "api/versioning": versioning.BookViewSet,
}


def router_for(viewset: type) -> list:
    router = SimpleRouter()
    router.register("books", viewset, basename="book")
    return router.urls


urlpatterns = [
    path(f"{prefix}/", include((router_for(viewset), prefix.replace("/", "-"))))
    for prefix, viewset in VIEWSETS.items()
]
