"""The stale-set race: a request reads a token or session from the database, the caller is
logged out, and the request then stores what it read. The naive versions serve the ended
credentials from the cache until they expire; the recipe refuses them."""

from importlib import import_module

import pytest
from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.cache import cache
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from recipes.auth_cache import cached_auth
from recipes.auth_cache.views import MeViewSet

from . import naive

ME = "/api/auth-cache/me/"


@pytest.fixture
def logout_between_read_and_store(monkeypatch, django_capture_on_commit_callbacks):
    """Make the next database read of ``owner.attribute`` end alice's credentials just
    after it returns, as a logout on another server would."""

    def arrange(owner, attribute, end):
        original = getattr(owner, attribute)

        def read_then_end(self, *args, **kwargs):
            result = original(self, *args, **kwargs)
            monkeypatch.setattr(owner, attribute, original)  # only this once
            with django_capture_on_commit_callbacks(execute=True):
                end()
            return result

        monkeypatch.setattr(owner, attribute, read_then_end)

    return arrange


def delete_alices_token():
    Token.objects.filter(user__username="alice").delete()


# --8<-- [start:token_race]
@pytest.mark.parametrize(
    ("authentication", "after_the_race"),
    [
        (naive.NaiveCachedTokenAuthentication, 200),  # the deleted token lives on
        (cached_auth.CachedTokenAuthentication, 401),
    ],
)
def test_a_token_deleted_while_a_request_reads_it(
    api_client,
    monkeypatch,
    logout_between_read_and_store,
    authentication,
    after_the_race,
):
    monkeypatch.setattr(MeViewSet, "authentication_classes", [authentication])
    client = api_client("alice-token")
    logout_between_read_and_store(
        TokenAuthentication, "authenticate_credentials", delete_alices_token
    )

    assert client.get(ME).status_code == 200  # read before the delete: still valid

    assert client.get(ME).status_code == after_the_race


# --8<-- [end:token_race]


# --8<-- [start:session_race]
@pytest.mark.parametrize(
    ("engine", "after_the_race"),
    [
        ("django.contrib.sessions.backends.cached_db", "alice"),  # logged in again
        ("recipes.auth_cache.cached_auth", None),
    ],
)
def test_a_session_ended_while_a_request_reads_it(
    api_client, settings, logout_between_read_and_store, engine, after_the_race
):
    settings.SESSION_ENGINE = engine
    client = api_client("alice-session")
    session_key = client.cookies["sessionid"].value
    cache.delete(cached_db.KEY_PREFIX + session_key)  # the next read is the database's

    def log_out_elsewhere():
        import_module(engine).SessionStore(session_key).delete()

    logout_between_read_and_store(
        DatabaseSessionStore, "_get_session_from_db", log_out_elsewhere
    )

    assert client.get(ME).json()["username"] == "alice"  # read before the logout

    assert client.get(ME).json()["username"] == after_the_race


# --8<-- [end:session_race]
