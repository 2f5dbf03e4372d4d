"""The demo project's URLs: every recipe under ``/api/<slug>/``, plus the shared endpoints."""

from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView
from rest_framework.authtoken.views import obtain_auth_token

from recipes.bookshop.catalogue import RecipeIndexView, installed_recipes

urlpatterns = [
    path("", RedirectView.as_view(url="/api/recipes/", permanent=False)),
    path("api/recipes/", RecipeIndexView.as_view(), name="recipe-index"),
    path("api/token/", obtain_auth_token, name="token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api-auth/", include("rest_framework.urls")),
    path("api/uncached/", include(("recipes.bookshop.urls", "uncached"))),
    *(
        path(f"api/{recipe.slug}/", include((recipe.urls.router.urls, recipe.slug)))
        for recipe in installed_recipes()
    ),
]
