from django.apps import AppConfig


class TrackedRecipeConfig(AppConfig):
    """Installs the recipe's hooks once the models are loaded."""

    name = "recipes.tracked"
    label = "tracked_recipe"

    def ready(self) -> None:
        from .tracked_cache import install
        from .views import store

        install(store)
