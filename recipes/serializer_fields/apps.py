from django.apps import AppConfig


class SerializerFieldsRecipeConfig(AppConfig):
    """Connects the receivers that forget an author's cached fields when they change."""

    name = "recipes.serializer_fields"
    label = "serializer_fields_recipe"

    def ready(self) -> None:
        from .invalidation import connect_invalidation

        connect_invalidation()
