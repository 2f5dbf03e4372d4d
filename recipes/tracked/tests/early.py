"""Book ViewSets of the tracked recipe that differ in what a hit before DRF's dispatch
must respect: a permission that reads the caller's groups, a throttle, and an
authentication the key does not know."""

from rest_framework.authentication import BaseAuthentication

from harness.early_path import InReaders, TwoAMinute, book_urls
from recipes.tracked import views as tracked


class ReadersBooks(tracked.BookViewSet):
    cache_name = "readers-books"
    permission_classes = [InReaders]


class ThrottledBooks(tracked.BookViewSet):
    cache_name = "throttled-books"
    throttle_classes = [TwoAMinute]


class ApiKeyAuthentication(BaseAuthentication):
    """Reads a header the early key does not hold."""

    def authenticate(self, request):
        return None


class ApiKeyBooks(tracked.BookViewSet):
    cache_name = "api-key-books"
    authentication_classes = [ApiKeyAuthentication]


VIEWSETS = {
    "readers": ReadersBooks,
    "throttled": ThrottledBooks,
    "api-key": ApiKeyBooks,
    "api/tracked": tracked.BookViewSet,
}
urlpatterns = book_urls(VIEWSETS)
