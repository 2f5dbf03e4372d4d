"""A view that answers with the headers its query asks for, behind the response cache.

Served only by the storability tests, through this module's own URLconf, to try each kind of
response the cache must refuse to store.
"""

import itertools

from django.urls import path
from django.utils.cache import patch_vary_headers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from recipes.middleware.response_cache import ResponseCacheMixin

renders = itertools.count(1)


class ShapedView(ResponseCacheMixin, APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        query = request.query_params
        response = Response(
            {
                "render": next(renders),
                "language": request.headers.get("Accept-Language"),
            },
            status=int(query.get("status", 200)),
        )
        if "cache_control" in query:
            response["Cache-Control"] = query["cache_control"]
        if "vary" in query:
            patch_vary_headers(response, [query["vary"]])
        if "cookie" in query:
            response.set_cookie("flavour", query["cookie"])
        if "session" in query:
            request.session["seen"] = True
        return response


urlpatterns = [path("shaped/", ShapedView.as_view())]
