# The cache-check recipe: the project's schema, from drf-spectacular.
# --8<-- [start:settings]
INSTALLED_APPS += ["drf_spectacular"]
REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "drf_spectacular.openapi.AutoSchema"
# --8<-- [end:settings]
