"""The demo's callers, as a reader's ``conftest.py`` gives its own."""

import pytest

from recipes.cache_check.cache_check import Caller


def caller(kind: str) -> Caller:
    """Return the demo's caller ``kind``, with the credentials that say who it is."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from rest_framework.authtoken.models import Token

    if kind == "anonymous":
        return Caller(kind)
    username, _, method = kind.partition("-")
    user = get_user_model().objects.get(username=username)
    if method == "token":
        token = Token.objects.get(user=user).key
        return Caller(kind, headers={"Authorization": f"Token {token}"})
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[0]
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return Caller(kind, cookies={settings.SESSION_COOKIE_NAME: session.session_key})


def callers_of(*kinds: str) -> list[Caller]:
    return [caller(kind) for kind in kinds]


@pytest.fixture
def cache_callers(bookshop) -> list[Caller]:
    """Anonymous, alice by token and bob by session: every kind, and two users."""
    return callers_of("anonymous", "alice-token", "bob-session")
