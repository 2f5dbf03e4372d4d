from django.apps import AppConfig
from django.conf import settings


class CdnRecipeConfig(AppConfig):
    """Sends the purges of committed writes to the shared cache the settings name."""

    name = "recipes.cdn"
    label = "cdn_recipe"

    def ready(self) -> None:
        from recipes.tracked.tracked_cache import install

        from .views import purger_from_settings

        purger = purger_from_settings(settings.SHARED_CACHE)
        if purger is not None:
            install(purger)
