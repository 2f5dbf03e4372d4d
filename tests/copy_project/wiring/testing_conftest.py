"""conftest.py, at the project's root, with ``cache_testing.py`` copied into ``articles/``."""

# --8<-- [start:conftest]
from django.conf import settings

pytest_plugins = ["articles.cache_testing"]  # (1)!


def pytest_configure() -> None:
    from articles.cache_testing import caches_for_tests  # (2)!

    settings.CACHES = caches_for_tests(settings.CACHES)  # (3)!


# --8<-- [end:conftest]
