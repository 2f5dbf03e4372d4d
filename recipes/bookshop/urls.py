"""The bookshop without any cache, served at ``/api/uncached/``: the baseline recipes are
compared with, by the property tests (same requests, same answers) and by readers."""

from rest_framework.routers import DefaultRouter

from .views import AuthorViewSet, BookViewSet, ReviewViewSet

router = DefaultRouter()
router.register("books", BookViewSet, basename="book")
router.register("authors", AuthorViewSet, basename="author")
router.register("reviews", ReviewViewSet, basename="review")
urlpatterns = router.urls
