from rest_framework.routers import DefaultRouter

from .views import CacheStatusViewSet

router = DefaultRouter()
router.register("cache-status", CacheStatusViewSet, basename="cache-status")
urlpatterns = router.urls
