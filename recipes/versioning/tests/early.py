"""Book ViewSets of the versioning recipe whose hits must pass DRF's checks: a permission
that reads the caller's groups, a throttle, and DRF's own token authentication, which
names no cached entry."""

from rest_framework.authentication import TokenAuthentication

from harness.early_path import InReaders, TwoAMinute, book_urls
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


urlpatterns = book_urls(VIEWSETS)
