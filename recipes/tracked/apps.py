from django.apps import AppConfig
from django.conf import settings


class TrackedRecipeConfig(AppConfig):
    """Installs the recipe's hooks once the models are loaded."""

    name = "recipes.tracked"
    label = "tracked_recipe"

    def ready(self) -> None:
        from .outbox import PendingInvalidation
        from .tracked_cache import install
        from .views import store

        install(store, outbox=PendingInvalidation, retry=settings.TRACKED_OUTBOX_RETRY)
