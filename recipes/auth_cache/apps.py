from django.apps import AppConfig


class AuthCacheRecipeConfig(AppConfig):
    """Connects the receivers that end cached credentials, once the models are loaded."""

    name = "recipes.auth_cache"
    label = "auth_cache_recipe"

    def ready(self) -> None:
        from .cached_auth import connect_invalidation

        connect_invalidation()
