from django.apps import AppConfig


class ConditionalRecipeConfig(AppConfig):
    """Connects the recipe's receivers once the models are loaded."""

    name = "recipes.conditional"
    label = "conditional_recipe"

    def ready(self) -> None:
        from .views import connect_invalidation

        connect_invalidation()
