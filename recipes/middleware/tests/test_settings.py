"""``settings.RESPONSE_CACHE`` decides which paths are cached, and for how long."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from harness.testing import timing
from recipes.middleware.response_cache import ResponseCacheSettings

# --8<-- [start:prefixes]
CONFIG = ResponseCacheSettings(
    timeouts={"/api/": 60, "/api/authors/": 300},
    bypass=["/api/reviews/"],
)


@pytest.mark.parametrize(
    ("path", "timeout"),
    [
        ("/api/books/", 60),
        ("/api/authors/", 300),  # the longest matching prefix wins
        ("/api/authors/7/", 300),
        ("/api/reviews/", None),  # bypassed
        ("/api/reviews/3/", None),
        ("/admin/", None),  # under no prefix
    ],
)
def test_the_longest_prefix_decides_and_bypass_wins(path, timeout):
    assert CONFIG.timeout_for(path) == timeout


# --8<-- [end:prefixes]


def test_unknown_keys_are_refused_by_name(settings):
    settings.RESPONSE_CACHE = {"TIMEOUT": 60}

    with pytest.raises(ImproperlyConfigured, match=r"unknown keys \['TIMEOUT'\]"):
        ResponseCacheSettings.from_django_settings()


def test_without_the_setting_nothing_is_cached(api_client, settings):
    del settings.RESPONSE_CACHE
    client = api_client("anonymous")

    outcomes = [timing(client.get("/api/middleware/books/")).cache for _ in range(2)]

    assert outcomes == ["bypass", "bypass"]


def test_a_setting_change_applies_to_the_next_request(api_client, settings):
    client = api_client("anonymous")
    client.get("/api/middleware/books/")
    settings.RESPONSE_CACHE = {**settings.RESPONSE_CACHE, "KEY_PREFIX": "v2"}

    assert timing(client.get("/api/middleware/books/")).cache == "miss"
