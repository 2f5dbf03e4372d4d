"""What goes wrong with a naive cache in front of DRF's dispatch, next to the tracked
recipe's early path on the same requests. These tests pass by showing the failure."""

import pytest
from rest_framework.authtoken.models import Token

from harness.testing import timing

from .test_early import JSON

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


# --8<-- [end:pitfalls]
