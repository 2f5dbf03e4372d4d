"""articles/apps.py, with the memory recipe's deploy check registered."""

# --8<-- [start:apps]
from django.apps import AppConfig
from django.core import checks


class ArticlesConfig(AppConfig):
    name = "articles"

    def ready(self) -> None:
        from .redis_memory import check_eviction_policy

        checks.register(check_eviction_policy, "caches", deploy=True)  # (1)!


# --8<-- [end:apps]
