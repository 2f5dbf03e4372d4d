"""A known caller costs no query; a change to their credentials is seen by the next request."""

import pytest
from django.contrib.auth import get_user_model

from harness.testing import timing
from recipes.auth_cache.cached_auth import token_key, user_key

ME = "/api/auth-cache/me/"


# --8<-- [start:known]
@pytest.mark.parametrize("kind", ["alice-token", "alice-session"])
def test_a_known_caller_costs_no_query(api_client, kind):
    client = api_client(kind)
    first = client.get(ME)

    again = client.get(ME)

    assert first.json()["username"] == again.json()["username"] == "alice"
    assert timing(again).queries == 0


# --8<-- [end:known]


def test_a_wrong_token_is_a_401_every_time_and_is_not_cached(api_client):
    client = api_client("anonymous")
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")

    assert [client.get(ME).status_code for _ in range(2)] == [401, 401]
    assert timing(client.get(ME)).queries == 1
    from django.core.cache import cache

    assert cache.get(token_key("not-a-token")) is None


# --8<-- [start:revoked]
def test_a_deleted_token_is_refused_at_once(api_client):
    client = api_client("alice-token")
    client.get(ME)  # the token is cached

    assert client.delete(f"{ME}token/").status_code == 204

    assert client.get(ME).status_code == 401


def test_a_token_deleted_outside_the_api_is_refused_at_once(api_client, revoke_token):
    client = api_client("alice-token")
    client.get(ME)

    revoke_token("alice")  # the admin, a shell, a management command

    assert client.get(ME).status_code == 401


@pytest.mark.parametrize("kind", ["alice-token", "alice-session"])
def test_a_deactivated_user_is_refused_at_once(
    api_client, kind, django_capture_on_commit_callbacks
):
    client = api_client(kind)
    client.get(ME)
    alice = get_user_model().objects.get(username="alice")

    with django_capture_on_commit_callbacks(execute=True):
        alice.is_active = False
        alice.save()

    response = client.get(ME)
    assert response.status_code == 401 or response.json()["username"] is None


def test_logging_out_ends_the_session_at_once(api_client):
    client = api_client("alice-session")
    cookie = client.cookies["sessionid"].value
    client.get(ME)

    client.post(f"{ME}logout/")
    client.cookies["sessionid"] = cookie  # a copy of the cookie kept elsewhere

    assert client.get(ME).json()["username"] is None


def test_a_new_password_ends_other_sessions_at_once(
    api_client, django_capture_on_commit_callbacks
):
    client = api_client("alice-session")
    client.get(ME)
    alice = get_user_model().objects.get(username="alice")

    with django_capture_on_commit_callbacks(execute=True):
        alice.set_password("a new password")
        alice.save()

    assert client.get(ME).json()["username"] is None


# --8<-- [end:revoked]


def test_a_login_does_not_end_the_users_cached_entry(
    api_client, django_capture_on_commit_callbacks
):
    from django.contrib.auth.models import update_last_login
    from django.core.cache import cache

    client = api_client("alice-session")
    client.get(ME)
    alice = get_user_model().objects.get(username="alice")

    with django_capture_on_commit_callbacks(execute=True):
        update_last_login(None, alice)  # what every login does

    assert cache.get(user_key(alice.pk)).username == "alice"
    assert timing(client.get(ME)).queries == 0


def test_with_the_cache_down_callers_are_authenticated_from_the_database(
    api_client, settings
):
    from recipes.settings import redis_cache

    token, session = api_client("alice-token"), api_client("alice-session")
    settings.CACHES = {"default": redis_cache("redis://127.0.0.1:9/0")}  # nothing there

    for client in (token, session):
        response = client.get(ME)
        assert (response.status_code, response.json()["username"]) == (200, "alice")
        assert timing(response).queries > 0
