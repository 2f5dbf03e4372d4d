from django.apps import AppConfig


class SignalsRecipeConfig(AppConfig):
    """Connects the recipe's receivers once the models are loaded."""

    name = "recipes.signals"
    label = "signals_recipe"

    def ready(self) -> None:
        from .views import connect_invalidation

        connect_invalidation()
