"""articles/apps.py, with the tracked recipe: its hooks installed once the app is ready."""

# --8<-- [start:apps]
from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"

    def ready(self) -> None:
        from .tracked_cache import install  # (1)!
        from .views import store

        install(store)


# --8<-- [end:apps]
