"""Book ViewSets of the middleware recipe whose hits must pass DRF's checks: a permission
that reads the caller's groups, a throttle, and DRF's own token authentication, which
names no cached entry; and books that opt out. Served below ``/api/middleware/``, which
settings cache."""

from rest_framework.authentication import TokenAuthentication

from harness.early_path import InReaders, TwoAMinute, book_urls
from recipes.middleware import views as middleware


class ReadersBooks(middleware.BookViewSet):
    permission_classes = [InReaders]


class ThrottledBooks(middleware.BookViewSet):
    throttle_classes = [TwoAMinute]


class DatabaseTokenBooks(middleware.BookViewSet):
    authentication_classes = [TokenAuthentication]


class ThroughDrfBooks(middleware.BookViewSet):
    cache_answers_early = False


VIEWSETS = {
    "api/middleware/through-drf": ThroughDrfBooks,
    "api/middleware/readers": ReadersBooks,
    "api/middleware/throttled": ThrottledBooks,
    "api/middleware/database-token": DatabaseTokenBooks,
    "api/middleware": middleware.BookViewSet,
}


urlpatterns = book_urls(VIEWSETS)
