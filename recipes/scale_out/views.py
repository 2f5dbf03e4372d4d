"""The demo's view of its cache topology: where the cache reads and writes, and where a
key lives (``?key=ns:books``), for an operator checking a configuration."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from .redis_topologies import describe, route


class KeyQuery(serializers.Serializer):
    key = serializers.RegexField(
        r"^[\x21-\x7e]{1,200}$",  # what a cache key may hold: printable, no spaces
        required=False,
        error_messages={"invalid": "A key is 1-200 printable characters, no spaces."},
    )


# --8<-- [start:viewset]
class TopologyViewSet(viewsets.ViewSet):
    """The cache's client, servers and primary reads; with ``?key=``, that key's route."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("key", str, description="a cache key to route")],
        responses={200: OpenApiTypes.OBJECT},
    )
    def list(self, request: Request) -> Response:
        query = KeyQuery(data=request.query_params)
        query.is_valid(raise_exception=True)  # a 400 that names the problem
        answer = describe("default")
        if key := query.validated_data.get("key"):
            answer["route"] = route("default", key)
        return Response(answer)


# --8<-- [end:viewset]
