"""articles/apps.py, with the signals recipe: receivers connect once the app is ready."""

# --8<-- [start:apps]
from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"

    def ready(self) -> None:
        from .views import connect_invalidation  # (1)!

        connect_invalidation()


# --8<-- [end:apps]
