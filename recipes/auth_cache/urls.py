from rest_framework.routers import DefaultRouter

from .views import MeViewSet

router = DefaultRouter()
router.register("me", MeViewSet, basename="me")
urlpatterns = router.urls
