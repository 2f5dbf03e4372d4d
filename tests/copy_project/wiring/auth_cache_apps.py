"""articles/apps.py, with the auth-cache recipe: receivers connect once the app is ready."""

# --8<-- [start:apps]
from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"

    def ready(self) -> None:
        from .cached_auth import connect_invalidation

        connect_invalidation()  # (1)!


# --8<-- [end:apps]
