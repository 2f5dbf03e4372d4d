"""Cached authentication: token and session callers known without a query, revoked at once."""

SLUG = "auth-cache"
TITLE = "Cached authentication for tokens and sessions"
#: What a reader copies into their app: the files (or folder) its page names.
COPY_UNIT = ("recipes/auth_cache/cached_auth.py",)
DEPENDENCIES = {"asgiref": ("asgiref",)}  # installed with Django: its sync_to_async
