"""The cookbook's own pytest set-up, loaded as a reader's ``conftest.py`` loads fixtures."""

pytest_plugins = [
    "recipes.testing.cache_testing",  # the testing recipe: isolated caches, cache_clock
    "harness.testing",  # the bookshop, its callers, a private redis-server
]
