# Appended to the settings `django-admin startproject` wrote.
import json
import os

INSTALLED_APPS += [
    "rest_framework",
    "rest_framework.authtoken",
    "articles",
]
ALLOWED_HOSTS = ["testserver", ".localhost"]
ROOT_URLCONF = "shop.urls"
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 5,
}
CACHES = {  # plain django-redis, plus only the options the recipe's page requires
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        "OPTIONS": json.loads(os.environ["COPY_CACHE_OPTIONS"]),
    }
}
