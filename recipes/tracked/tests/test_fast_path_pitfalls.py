"""What goes wrong with a naive cache in front of DRF's dispatch, next to the tracked
recipe's early path on the same requests. These tests pass by showing the failure."""

from typing import Any

import pytest
from rest_framework.authtoken.models import Token

from harness.testing import timing
from recipes.tracked import tracked_cache
from recipes.tracked.tracked_cache import EarlyMiss

from .test_early import JSON, caller_of, digest_of, favourites

pytestmark = pytest.mark.urls("recipes.tracked.tests.naive_fast")
RECIPE, NAIVE = "/api/tracked/books/", "/naive/by-credential/books/"


# --8<-- [start:pitfalls]
def test_a_fast_path_that_skips_authentication_serves_a_revoked_token(
    api_client, django_capture_on_commit_callbacks
):
    client = api_client("alice-token")
    for path in (RECIPE, NAIVE):
        client.get(path, **JSON)
    with django_capture_on_commit_callbacks(execute=True):
        Token.objects.filter(user__username="alice").delete()

    assert client.get(NAIVE, **JSON).status_code == 200  # alice's page, to no one
    assert client.get(RECIPE, **JSON).status_code == 401


def test_a_fast_path_keyed_on_the_user_reads_the_user_first(api_client, counted):
    client = api_client("alice-token")
    for path in (RECIPE, "/naive/by-user/books/"):
        client.get(path, **JSON)
        counted.restart()
        client.get(path, **JSON)  # a hit
        assert counted.dispatch == 0
        if path == RECIPE:
            assert counted.redis == ["EVALSHA"]  # the alias and its entry
        else:
            assert counted.redis == ["GET", "GET"]  # the token, then the entry


def test_a_fast_path_that_ignores_throttles_lets_a_throttled_caller_through(
    api_client,
):
    alice, bob = api_client("alice-token"), api_client("bob-token")  # a throttle each
    naive = [bob.get("/naive/throttled/books/", **JSON) for _ in range(4)]
    recipe = [alice.get("/throttled/books/", **JSON) for _ in range(4)]

    assert [r.status_code for r in naive] == [200, 200, 200, 200]  # at 2 a minute
    assert [r.status_code for r in recipe] == [200, 200, 429, 429]
    assert timing(recipe[1]).cache == "hit"  # counted by the throttle, hit or not


def test_a_read_ahead_trusted_without_drfs_key_serves_one_user_anothers_page(
    api_client, monkeypatch
):
    """The alias's script reads the entry of whom the credential stood for before. Told
    that bob's token is alice's, the recipe still answers bob with bob's page; a lookup
    that trusts what it read ahead answers him with alice's."""
    alice, bob = api_client("alice-token"), api_client("bob-token")
    urls = {"recipe": f"{RECIPE}?seen=1", "naive": f"{RECIPE}?seen=2"}
    alices = {way: favourites(alice.get(url, **JSON)) for way, url in urls.items()}
    bobs = favourites(bob.get(RECIPE, **JSON))
    assert alices["naive"] != bobs  # their favourites differ
    answered = {}
    for way, url in urls.items():
        if way == "naive":
            monkeypatch.setattr(EarlyMiss, "lookup", trusting_the_read_ahead)
        monkeypatch.setitem(tracked_cache._callers, digest_of(bob), caller_of(alice))
        answered[way] = favourites(bob.get(url, **JSON))

    assert answered == {"recipe": bobs, "naive": alices["naive"]}


def trusting_the_read_ahead(self: EarlyMiss, key: str, request: Any) -> Any:
    """The naive lookup: what the alias's script read ahead, whoever DRF says it is."""
    if self.alias.besides is not None:
        return self.alias.besides[1]
    return self.store.get(key)


# --8<-- [end:pitfalls]
