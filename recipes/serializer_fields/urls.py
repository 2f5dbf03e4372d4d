from rest_framework.routers import DefaultRouter

from recipes.bookshop.views import ReviewViewSet

from .views import AnnotatedBookViewSet, AuthorViewSet, BookViewSet

router = DefaultRouter()
router.register("books", BookViewSet, basename="book")
router.register("authors", AuthorViewSet, basename="author")
router.register("books-annotated", AnnotatedBookViewSet, basename="book-annotated")
router.register("reviews", ReviewViewSet, basename="review")  # reviews move averages
urlpatterns = router.urls
