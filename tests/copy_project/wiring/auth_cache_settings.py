# Appended to the project's settings for the auth-cache recipe (``cached_auth.py`` copied
# into the articles app).
# --8<-- [start:settings]
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
    "articles.cached_auth.CachedTokenAuthentication",
    "articles.cached_auth.CachedSessionAuthentication",  # names what a session reads
]
AUTHENTICATION_BACKENDS = ["articles.cached_auth.CachedModelBackend"]
SESSION_ENGINE = "articles.cached_auth"  # the module holds the corrected SessionStore
# --8<-- [end:settings]
