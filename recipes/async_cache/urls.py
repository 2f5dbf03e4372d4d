from rest_framework.routers import DefaultRouter

from .views import AuthorViewSet, BookViewSet, ReviewViewSet

router = DefaultRouter()
router.register("books", BookViewSet, basename="book")
router.register("authors", AuthorViewSet, basename="author")
router.register("reviews", ReviewViewSet, basename="review")
urlpatterns = router.urls
