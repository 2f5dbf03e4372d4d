from typing import Any

import pytest


@pytest.fixture
def naive_middleware(settings: Any) -> None:
    """Install the naive middleware, last, where it can read ``request.user``."""
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        "recipes.middleware.tests.naive.ViewSetCacheMiddleware",
    ]
    settings.ROOT_URLCONF = "recipes.middleware.tests.naive"
