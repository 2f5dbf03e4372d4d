from rest_framework.routers import DefaultRouter

from recipes.manual_keys import views
from recipes.manual_keys.tests.naive import UncheckedTaggedCache

unchecked = UncheckedTaggedCache("default", name="manual-keys-unchecked")


class BookViewSet(views.BookViewSet):
    cache_store = unchecked


class AuthorViewSet(views.AuthorViewSet):
    cache_store = unchecked


class ReviewViewSet(views.ReviewViewSet):
    def perform_create(self, serializer):
        super().perform_create(serializer)
        unchecked.invalidate_on_commit({f"author:{serializer.instance.book.author_id}"})

    def perform_destroy(self, instance):
        author_id = instance.book.author_id
        super().perform_destroy(instance)
        unchecked.invalidate_on_commit({f"author:{author_id}"})


router = DefaultRouter()
router.register("books", BookViewSet, basename="book")
router.register("authors", AuthorViewSet, basename="author")
router.register("reviews", ReviewViewSet, basename="review")
urlpatterns = router.urls
