# Appended to the project's settings for the middleware recipe.
# --8<-- [start:settings]
RESPONSE_CACHE = {
    "TIMEOUTS": {"/api/articles/": 60},
}
# --8<-- [end:settings]
