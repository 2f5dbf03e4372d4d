"""The recipes the demo serves: each listed package under ``/api/<SLUG>/``.

A recipe package declares ``SLUG`` and ``TITLE`` in its ``__init__`` and a DRF ``router`` in
its ``urls`` module; ``settings.COOKBOOK_RECIPES`` lists the packages to serve.
"""

from dataclasses import dataclass
from functools import cache
from importlib import import_module
from types import ModuleType

from django.conf import settings
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


@dataclass(frozen=True)
class Recipe:
    package: str
    slug: str
    title: str
    urls: ModuleType

    def endpoints(self) -> dict[str, str]:
        """Return ``{resource: path}`` for every resource the recipe's router registers."""
        return {
            prefix: f"/api/{self.slug}/{prefix}/"
            for prefix, *_ in self.urls.router.registry
        }


@cache
def installed_recipes() -> tuple[Recipe, ...]:
    """Import the packages named in ``settings.COOKBOOK_RECIPES``."""
    recipes = []
    for package in settings.COOKBOOK_RECIPES:
        module = import_module(package)
        recipes.append(
            Recipe(package, module.SLUG, module.TITLE, import_module(f"{package}.urls"))
        )
    return tuple(recipes)


class RecipeIndexView(APIView):
    """List every recipe the demo serves, with the paths of its endpoints."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses=inline_serializer(
            "Recipe",
            {
                "slug": serializers.CharField(),
                "title": serializers.CharField(),
                "endpoints": serializers.DictField(child=serializers.CharField()),
            },
            many=True,
        )
    )
    def get(self, request: Request) -> Response:
        return Response(
            [
                {"slug": r.slug, "title": r.title, "endpoints": r.endpoints()}
                for r in installed_recipes()
            ]
        )
