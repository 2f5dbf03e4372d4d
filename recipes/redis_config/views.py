"""What the configured cache is doing: a status endpoint for dashboards and load balancers."""

import time
from typing import Any

from django.conf import settings
from django_redis import get_redis_connection
from drf_spectacular.utils import extend_schema, inline_serializer
from redis.exceptions import RedisError
from rest_framework import serializers, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response


# --8<-- [start:status]
class CacheStatusViewSet(viewsets.ViewSet):
    """Report whether each django-redis cache answers, and how it is configured."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses=inline_serializer(
            "CacheStatus",
            {
                "alias": serializers.CharField(),
                "reachable": serializers.BooleanField(allow_null=True),
                "error": serializers.CharField(allow_null=True),
                "ping_ms": serializers.FloatField(),
                "serializer": serializers.CharField(),
                "compressor": serializers.CharField(),
                "fails_open": serializers.BooleanField(),
            },
            many=True,
        )
    )
    def list(self, request: Request) -> Response:
        return Response(
            [self.status(alias, config) for alias, config in settings.CACHES.items()]
        )

    @staticmethod
    def status(alias: str, config: dict[str, Any]) -> dict[str, Any]:
        """Ping one cache's Redis and describe its configuration."""
        options = config.get("OPTIONS", {})
        started = time.perf_counter()
        try:
            get_redis_connection(alias).ping()
            reachable, error = True, None
        except RedisError as exc:  # the API keeps answering: the cache fails open
            reachable, error = False, type(exc).__name__
        except NotImplementedError:  # not a django-redis cache: nothing to ask
            reachable, error = None, "not a django-redis cache"
        return {
            "alias": alias,
            "reachable": reachable,
            "error": error,
            "ping_ms": round((time.perf_counter() - started) * 1000, 2),
            "serializer": options.get("SERIALIZER", "").rpartition(".")[2],
            "compressor": options.get("COMPRESSOR", "").rpartition(".")[2],
            "fails_open": bool(options.get("IGNORE_EXCEPTIONS")),
        }


# --8<-- [end:status]
