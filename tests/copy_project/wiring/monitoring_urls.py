"""shop/urls.py, with the monitoring recipe's endpoints beside the project's API."""

# --8<-- [start:urls]
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from articles.cache_metrics import MetricsViewSet, SummaryViewSet
from articles.views import ArticleViewSet

router = DefaultRouter()
router.register("articles", ArticleViewSet, basename="article")
router.register("cache-metrics", MetricsViewSet, basename="cache-metrics")
router.register("cache-summary", SummaryViewSet, basename="cache-summary")
urlpatterns = [path("api/", include(router.urls))]
# --8<-- [end:urls]
