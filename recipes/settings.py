"""Settings of the demo project that serves every recipe under ``/api/<slug>/``.

Embedded by default, so a fresh machine needs nothing but Python: a SQLite file and
django-redis talking to an in-process fakeredis server (the same client code path as a real
Redis). Two environment variables switch to real services:

* ``REDIS_URL`` (``redis://127.0.0.1:6379/0``) points the default cache at a real Redis.
* ``DATABASE_URL`` (``sqlite:///path.db`` or ``postgres://...``) switches the database.

Demo-only: the secret key and the users the ``seed`` command creates are public.
"""

import os
from pathlib import Path

import dj_database_url

from recipes.redis_config.redis_cache import django_redis_cache

PROJECT_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("COOKBOOK_DATA_DIR", PROJECT_DIR / ".cookbook"))

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "demo-only-not-secret")
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
# The host is part of every page-cache key and of absolute pagination links, so the list of
# hosts the demo answers to is explicit (``*.localhost`` lets tests use several hosts).
ALLOWED_HOSTS = os.environ.get(
    "DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver,.localhost"
).split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "recipes.bookshop",
    "recipes.signals.apps.SignalsRecipeConfig",  # connects its model signal receivers
    "recipes.serializer_fields.apps.SerializerFieldsRecipeConfig",  # and this one too
    "recipes.conditional.apps.ConditionalRecipeConfig",  # and this one
    "recipes.auth_cache.apps.AuthCacheRecipeConfig",  # ends cached credentials on change
    "recipes.warming",  # its management command: python -m recipes warm
    "recipes.memory.apps.MemoryRecipeConfig",  # check --deploy: Redis's memory policy
    "recipes.tracked.apps.TrackedRecipeConfig",  # watches every statement and instance
    "recipes.cdn.apps.CdnRecipeConfig",  # purges the shared cache after commits
]

MIDDLEWARE = [
    # First, so the Server-Timing header accounts for every query of the request.
    "recipes.bookshop.server_timing.ServerTimingMiddleware",
    # The monitoring recipe: counts each response by the cache outcome it announces.
    "recipes.monitoring.cache_metrics.CacheMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]

ROOT_URLCONF = "recipes.urls"
WSGI_APPLICATION = "recipes.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ]
        },
    }
]

if "DATABASE_URL" not in os.environ:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'cookbook.sqlite3'}")
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several server processes write at once under load: readers never block the writer
    # (WAL), a write transaction takes its lock up front instead of failing to upgrade a
    # read lock, and a busy database is waited for rather than answered with a 500.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
# Reuse each process's connection across requests, checking it first.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("DJANGO_CONN_MAX_AGE", "60"))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def redis_cache(url: str | None) -> dict:
    """Return the redis-config recipe's cache on ``url``, or on in-process fakeredis.

    Pickle with zlib, short socket timeouts, and failing open: the API answers from the
    database when Redis is down, and the errors are logged. The monitoring recipe counts
    every command and error of the connection.
    """
    if url:
        return django_redis_cache(url, options=COUNTED)
    import fakeredis

    return django_redis_cache(
        "redis://embedded-fakeredis:6379/0",
        connection_class=fakeredis.FakeRedisConnection,
        options=COUNTED,
    )


# The monitoring recipe: every command and error of the cache's connections is counted.
COUNTED = {
    "CONNECTION_POOL_CLASS": "recipes.monitoring.cache_metrics.CountingConnectionPool"
}


CACHES = {"default": redis_cache(os.environ.get("REDIS_URL"))}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

LANGUAGE_CODE = "en-us"
LANGUAGES = [
    ("en-us", "English"),
    ("fr", "French"),
]  # LocaleMiddleware may choose either
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"

# --8<-- [start:auth_cache]
# The auth-cache recipe: a known token or session costs no query, and ends at once.
AUTHENTICATION_BACKENDS = ["recipes.auth_cache.cached_auth.CachedModelBackend"]
SESSION_ENGINE = (
    "recipes.auth_cache.cached_auth"  # its corrected cached_db SessionStore
)
# --8<-- [end:auth_cache]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "recipes.auth_cache.cached_auth.CachedTokenAuthentication",
        "recipes.auth_cache.cached_auth.CachedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticatedOrReadOnly"
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "recipes.bookshop.pagination.PageNumbers",
    "PAGE_SIZE": int(os.environ.get("PAGE_SIZE", "50")),  # the schema test asks for 5
    "DEFAULT_SCHEMA_CLASS": "recipes.bookshop.schema.AutoSchemaWithErrors",
    "EXCEPTION_HANDLER": "recipes.bookshop.errors.api_exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "DRF caching cookbook demo API",
    "DESCRIPTION": "The bookshop API, served once per recipe under /api/<slug>/.",
    "VERSION": "0.1.0",
}

# Every recipe package listed here is served under /api/<its SLUG>/ and indexed at /api/recipes/.
COOKBOOK_RECIPES = [
    "recipes.cache_page",
    "recipes.manual_keys",
    "recipes.versioning",
    "recipes.signals",
    "recipes.tracked",
    "recipes.async_cache",
    "recipes.cdn",
    "recipes.serializer_fields",
    "recipes.redis_config",
    "recipes.cache_control",
    "recipes.middleware",
    "recipes.conditional",
    "recipes.stampede",
    "recipes.auth_cache",
    "recipes.monitoring",
    "recipes.scale_out",
    "recipes.warming",
]
# Recipes that serve no API of their own (test fixtures, commands): each has a copy unit, its
# tests, a page and a notebook, like the recipes above.
COOKBOOK_TOOLS = [
    "recipes.testing",
    "recipes.memory",
    "recipes.cache_check",
]

# --8<-- [start:shared_cache]
# The cdn recipe: where purges go (a Varnish with the recipe's VCL); without a URL, the
# responses are tagged and nothing is purged.
SHARED_CACHE = {
    "PURGE_URL": os.environ.get("SHARED_CACHE_PURGE_URL"),
    "DELAY": float(os.environ.get("SHARED_CACHE_PURGE_DELAY", "2")),
    # Soft purges: the cache serves a purged page once more, within its grace, while it
    # fetches the new one.
    "SOFT": os.environ.get("SHARED_CACHE_SOFT_PURGE") == "1",
}
# --8<-- [end:shared_cache]

# The tracked recipe's outbox: how often a process that could not deliver its marks (to
# Redis, or a shared cache's purge) tries again.
TRACKED_OUTBOX_RETRY = float(os.environ.get("TRACKED_OUTBOX_RETRY", "5"))

# --8<-- [start:cache_warming]
# The warming recipe's command: what `python -m recipes warm` requests, as a client of HOST.
CACHE_WARMING = {
    "HOST": "localhost",
    "PATHS": [
        "/api/warming/books/",
        "/api/warming/books/?page=2",
        "/api/warming/authors/",
        *(f"/api/warming/books/{book_id}/" for book_id in range(1, 6)),
    ],
}
# --8<-- [end:cache_warming]

# --8<-- [start:response_cache]
# The middleware recipe's response cache: which paths it keeps, and for how long (seconds).
# The longest matching prefix wins; a path under a BYPASS prefix is never cached.
RESPONSE_CACHE = {
    "ALIAS": "default",
    "KEY_PREFIX": "response",
    "TIMEOUTS": {
        "/api/middleware/": 60,
        "/api/middleware/authors/": 300,
        "/api/stampede/rendered-books/": 60,
    },
    "BYPASS": ["/api/middleware/reviews/"],
}
# --8<-- [end:response_cache]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django_redis": {"handlers": ["console"], "level": "WARNING"},
        # A 500's traceback, with DEBUG off too.
        "django.request": {"handlers": ["console"], "level": "ERROR"},
        # The circuit breaker's "Redis timed out: bypassed" warnings, among others.
        "recipes": {"handlers": ["console"], "level": "WARNING"},
    },
}
