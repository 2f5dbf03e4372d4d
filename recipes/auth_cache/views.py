"""Who is calling, and the way to revoke a token: what the recipe's tests and notebook drive."""

from django.contrib import auth
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

Caller = inline_serializer(
    "Caller",
    {
        "username": serializers.CharField(allow_null=True),
        "authenticated_by": serializers.CharField(allow_null=True),
    },
)


class MeViewSet(viewsets.ViewSet):
    """The caller as authentication resolved them (anonymous too)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=Caller)
    def list(self, request: Request) -> Response:
        user = request.user
        known = user.is_authenticated
        return Response(
            {
                "username": user.get_username() if known else None,
                "authenticated_by": type(request.successful_authenticator).__name__
                if known
                else None,
            }
        )

    @extend_schema(request=None, responses={204: None})
    @action(
        detail=False,
        methods=["delete"],
        url_path="token",
        permission_classes=[permissions.IsAuthenticated],
    )
    def revoke_token(self, request: Request) -> Response:
        """Delete the caller's token: the next request that sends it gets a 401."""
        Token.objects.filter(user=request.user).delete()
        return Response(status=204)

    @extend_schema(request=None, responses={204: None})
    @action(detail=False, methods=["post"])
    def logout(self, request: Request) -> Response:
        """End the caller's session: the next request that sends its cookie is anonymous."""
        auth.logout(request._request)
        return Response(status=204)
