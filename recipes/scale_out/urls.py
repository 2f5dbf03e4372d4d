from rest_framework.routers import DefaultRouter

from .views import TopologyViewSet

router = DefaultRouter()
router.register("topology", TopologyViewSet, basename="topology")
urlpatterns = router.urls
