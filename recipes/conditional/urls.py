from rest_framework.routers import DefaultRouter

from recipes.bookshop.views import ReviewViewSet

from .views import AuthorViewSet, BookViewSet

router = DefaultRouter()
router.register("books", BookViewSet, basename="book")
router.register("authors", AuthorViewSet, basename="author")
router.register("reviews", ReviewViewSet, basename="review")
urlpatterns = router.urls
