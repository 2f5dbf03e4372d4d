"""The demo's metrics endpoints: every recipe's counters, open to anyone on this machine."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny

from .cache_metrics import MetricsViewSet, SummaryViewSet


# --8<-- [start:viewsets]
@extend_schema(
    responses={(200, "text/plain"): OpenApiResponse(OpenApiTypes.STR)},
)
class PrometheusMetricsViewSet(MetricsViewSet):
    permission_classes = [AllowAny]  # (1)!


@extend_schema(responses={200: OpenApiTypes.OBJECT})
class CacheSummaryViewSet(SummaryViewSet):
    permission_classes = [AllowAny]


# --8<-- [end:viewsets]
