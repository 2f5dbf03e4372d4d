from rest_framework.routers import DefaultRouter

from .views import CacheSummaryViewSet, PrometheusMetricsViewSet

router = DefaultRouter()
router.register("metrics", PrometheusMetricsViewSet, basename="metrics")
router.register("summary", CacheSummaryViewSet, basename="summary")
urlpatterns = router.urls
