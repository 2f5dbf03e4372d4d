"""conftest.py, at the project's root: the callers the cache check sends requests as."""

# --8<-- [start:conftest]
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from rest_framework.authtoken.models import Token

from articles.cache_check import Caller
from articles.models import Article


@pytest.fixture
def cache_callers(db) -> list[Caller]:
    """Anonymous, alice by token and bob by session, with data to read."""
    alice, bob = (get_user_model().objects.create_user(n) for n in ("alice", "bob"))
    for number in range(3):
        article = Article.objects.create(title=f"Article {number}")
        article.starred_by.add(alice if number % 2 else bob)
    session = SessionStore()  # (1)!
    session.update(
        {"_auth_user_id": str(bob.pk), "_auth_user_hash": bob.get_session_auth_hash()}
    )
    session["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[0]
    session.create()
    return [
        Caller("anonymous"),
        Caller(
            "alice",
            headers={"Authorization": f"Token {Token.objects.create(user=alice)}"},
        ),
        Caller("bob", cookies={settings.SESSION_COOKIE_NAME: session.session_key}),
    ]


# --8<-- [end:conftest]
