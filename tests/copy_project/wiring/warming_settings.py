# Appended to the project's settings for the warming recipe.
# --8<-- [start:settings]
CACHE_WARMING = {
    "HOST": "testserver",  # (1)!
    "PATHS": ["/api/articles/", "/api/articles/?limit=5&offset=5"],
}
# --8<-- [end:settings]
