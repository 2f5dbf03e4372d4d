"""articles/apps.py, with the tracked recipe: its hooks installed once the app is ready."""

# --8<-- [start:apps]
from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"

    def ready(self) -> None:
        from .outbox import PendingInvalidation
        from .tracked_cache import install  # (1)!
        from .views import store

        install(store, outbox=PendingInvalidation)  # (2)!


# --8<-- [end:apps]
