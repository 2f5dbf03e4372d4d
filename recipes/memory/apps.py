from django.apps import AppConfig
from django.core import checks


# --8<-- [start:ready]
class MemoryRecipeConfig(AppConfig):
    name = "recipes.memory"
    label = "memory_recipe"

    def ready(self) -> None:
        from .redis_memory import check_eviction_policy

        checks.register(check_eviction_policy, "caches", deploy=True)


# --8<-- [end:ready]
