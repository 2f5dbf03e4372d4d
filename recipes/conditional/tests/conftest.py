import time

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache


@pytest.fixture
def settled(bookshop: None) -> int:
    """Record every namespace as last changed ten seconds ago: Last-Modified is sent.

    Returns that moment, in whole seconds since the epoch.
    """
    then = time.time_ns() // 1_000 - 10_000_000
    users = get_user_model().objects.values_list("pk", flat=True)
    names = ["books", "authors"]
    names += [f"favorites:{pk}" for pk in users]
    cache.set_many({f"conditional-ns:{name}:at": then for name in names}, timeout=None)
    return then // 1_000_000
