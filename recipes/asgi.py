"""The demo project as an ASGI application: ``uvicorn recipes.asgi:application``."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recipes.settings")
application = get_asgi_application()
