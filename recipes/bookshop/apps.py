from django.apps import AppConfig


class BookshopConfig(AppConfig):
    name = "recipes.bookshop"
    label = "bookshop"
    default_auto_field = "django.db.models.BigAutoField"
