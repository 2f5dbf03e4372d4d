"""The naive middleware, as it is found in the wild: kept to show what it gets wrong.

Installed only by the pitfall tests (``naive_middleware`` fixture), in front of this module's
URLconf, which serves the bookshop under ``/books/`` and two views of the kind every API
grows: one that marks its responses ``private``, one that sets a cookie.
"""

from django.core.cache import cache
from django.urls import path
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from recipes.bookshop import views as bookshop
from recipes.cache_control.views import BookViewSet as PrivateForUsersBookViewSet


# --8<-- [start:naive]
class ViewSetCacheMiddleware:
    CACHED_PREFIXES = ("/books/", "/private-books/", "/recently-viewed/")
    TIMEOUT = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "GET" or not request.path.startswith(self.CACHED_PREFIXES):
            return self.get_response(request)
        user = request.user.pk if request.user.is_authenticated else "anon"
        key = f"viewset:{request.path}:{request.META.get('QUERY_STRING', '')}:{user}"
        response = cache.get(key)
        if response is None:
            response = self.get_response(request)
            if response.status_code == 200:
                cache.set(key, response, self.TIMEOUT)
        return response


# --8<-- [end:naive]


class RecentlyViewedView(APIView):
    """Answer with the caller's recently viewed books, remembered in a cookie."""

    def get(self, request, book_id):
        earlier = request.COOKIES.get("recently_viewed", "").split(",")
        seen = [
            str(book_id),
            *(part for part in earlier if part not in ("", str(book_id))),
        ]
        response = Response({"recently_viewed": seen})
        response.set_cookie("recently_viewed", ",".join(seen))
        return response


router = DefaultRouter()
router.register("books", bookshop.BookViewSet, basename="book")
router.register("private-books", PrivateForUsersBookViewSet, basename="private-book")
urlpatterns = [
    *router.urls,
    path("recently-viewed/<int:book_id>/", RecentlyViewedView.as_view()),
]
