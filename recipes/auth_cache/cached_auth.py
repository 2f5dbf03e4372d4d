# From the DRF caching cookbook 0.8.2 (its CHANGELOG.md says what changed since).
# Supports Django 5.2 LTS (5.2.19+) on Python 3.11+, and Django 6 on Python 3.12+.
"""Authenticate token and session callers from the cache: no query once a caller is known,
and a deleted token, an ended session or a deactivated user refused at once.

How the caching works:

* A token's entry holds its ``Token`` row with the user (under ``auth:token:`` and the
  token's SHA-256: the token itself is never a key in Redis). For sessions, the session is
  kept by Django's ``cached_db`` engine (corrected below) and the user by ``auth:user:<pk>``.
* A change never deletes an entry: once its transaction commits, it overwrites the entry
  with a tombstone that lives ``hold_off`` seconds. A request that read the database before
  the change stores what it read with ``add``, which does nothing over a tombstone, so it
  cannot bring a deleted token back: the stale-set race a plain ``delete`` leaves open.
* Tombstones are written when a token is deleted, when a user is saved or deleted (for the
  user's entry and every token of theirs; a login's ``last_login`` update excepted), and when
  a session ends (logout, ``flush()``).
* Entries expire after ``timeout`` seconds. That bounds the one change the cache cannot see:
  one made while Redis was unreachable, whose tombstone could not be written.
* When the cache is down, every request authenticates from the database, as without this
  module (with django-redis' ``IGNORE_EXCEPTIONS``).
* Each authentication names the entries a request's caller stands on, and what they held
  (``credential_entries``): a response cache that answers before DRF's dispatch reads
  them beside its entry, and answers only while each still holds the same.
"""

import hashlib
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.authtoken.models import Token

ENDED = "ended"  # a tombstone: what a change leaves in place of an entry


# --8<-- [start:store]
@dataclass(frozen=True)
class AuthCache:
    """Where credentials are cached, for how long, and how long a tombstone holds."""

    alias: str = "default"
    timeout: int = 300
    hold_off: int = 60

    @classmethod
    def from_settings(cls) -> "AuthCache":
        return cls(
            **{k.lower(): v for k, v in getattr(settings, "AUTH_CACHE", {}).items()}
        )

    def read(self, key: str) -> Any | None:
        """Return the entry under ``key``; ``None`` when absent or ended (or Redis is down)."""
        value = caches[self.alias].get(key)
        return None if value is None or value == ENDED else value

    def store(self, key: str, value: Any) -> None:
        """Keep what a request read from the database, unless a change has ended it since."""
        caches[self.alias].add(key, value, self.timeout)  # (1)!

    def end_on_commit(self, keys: list[str]) -> None:
        """Leave a tombstone under each key once the current transaction commits."""
        transaction.on_commit(partial(self.end, keys))

    def end(self, keys: list[str]) -> None:
        cache = caches[self.alias]
        for key in keys:  # one key per command: each may live on another Cluster node
            cache.set(key, ENDED, self.hold_off)  # (2)!
            if cache.get(key) != ENDED:  # (3)!
                cache.delete(key)


def token_key(token: str) -> str:
    return f"auth:token:{hashlib.sha256(token.encode()).hexdigest()}"


def user_key(user_id: Any) -> str:
    return f"auth:user:{user_id}"


# --8<-- [end:store]


# --8<-- [start:token]
class CachedTokenAuthentication(TokenAuthentication):
    """DRF's ``TokenAuthentication``, answered from the cache once the token is known."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        store = AuthCache.from_settings()
        token = store.read(token_key(key))
        if token is None:  # unknown, ended, or Redis is down: ask the database
            _, token = super().authenticate_credentials(key)  # a 401 for a bad token
            store.store(token_key(key), token)
        return token.user, token

    def credential_entries(self, request: Any) -> dict[tuple[str, str], Any]:
        """The entry a request's token stands on, by (cache alias, key), and its value."""
        return {
            (AuthCache.from_settings().alias, token_key(request.auth.key)): request.auth
        }


# --8<-- [end:token]


# --8<-- [start:session]
class CachedModelBackend(ModelBackend):
    """Django's ``ModelBackend``, whose per-request ``get_user`` reads the cache first."""

    def get_user(self, user_id: Any) -> Any | None:
        store = AuthCache.from_settings()
        user = store.read(user_key(user_id))
        if user is None:
            user = super().get_user(user_id)  # None for an inactive or deleted user
            if user is not None:
                store.store(user_key(user_id), user)
        return user


class SessionStore(cached_db.SessionStore):
    """Django's ``cached_db`` sessions, closed to the stale-set race.

    Its ``load()`` stores a session read from the database with ``set``: a request that
    read the row just before a logout writes the ended session back to the cache, and it
    stays valid there until it expires. Here a load stores with ``add`` and an ending
    leaves a tombstone.
    """

    def load(self) -> dict[str, Any]:
        key = self.cache_key
        data = self._cache.get(key)
        if data is not None and data != ENDED:
            return data
        row = self._get_session_from_db()
        if row is None:
            return {}
        data = self.decode(row.session_data)
        self._cache.add(key, data, self.get_expiry_age(expiry=row.expire_date))
        return data

    def delete(self, session_key: str | None = None) -> None:
        session_key = session_key or self.session_key
        DatabaseSessionStore.delete(self, session_key)
        if session_key:
            store = replace(
                AuthCache.from_settings(), alias=settings.SESSION_CACHE_ALIAS
            )
            store.end_on_commit([self.cache_key_prefix + session_key])

    def credential_entries(self, user: Any) -> dict[tuple[str, str], Any]:
        """The session's entry and its user's, by (cache alias, key), and their values."""
        store = AuthCache.from_settings()
        return {
            (settings.SESSION_CACHE_ALIAS, self.cache_key): self._session,
            (store.alias, user_key(user.pk)): user,
        }

    async def aload(self) -> dict[str, Any]:
        return await sync_to_async(self.load)()

    async def adelete(self, session_key: str | None = None) -> None:
        await sync_to_async(self.delete)(session_key)


class CachedSessionAuthentication(SessionAuthentication):
    """DRF's ``SessionAuthentication``, naming the cached entries a caller stands on."""

    def credential_entries(self, request: Any) -> dict[tuple[str, str], Any] | None:
        session = request._request.session
        if not isinstance(session, SessionStore):
            return None  # another engine: nothing cached to name
        return session.credential_entries(request.user)


# --8<-- [end:session]


# --8<-- [start:receivers]
def connect_invalidation() -> None:
    """End cached credentials when they change: call from an ``AppConfig.ready()``."""
    user_model = get_user_model()
    post_delete.connect(token_deleted, sender=Token, dispatch_uid="auth-cache-token")
    post_save.connect(user_changed, sender=user_model, dispatch_uid="auth-cache-user")
    post_delete.connect(user_changed, sender=user_model, dispatch_uid="auth-cache-gone")


def token_deleted(sender: type, instance: Token, **kwargs: Any) -> None:
    AuthCache.from_settings().end_on_commit([token_key(instance.key)])


def user_changed(
    sender: type, instance: Any, update_fields: Any = None, **kwargs: Any
) -> None:
    """End the user's entry and their tokens' (a login's ``last_login`` alone excepted)."""
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    tokens = Token.objects.filter(user_id=instance.pk).values_list("key", flat=True)
    keys = [user_key(instance.pk), *(token_key(key) for key in tokens)]
    AuthCache.from_settings().end_on_commit(keys)


# --8<-- [end:receivers]
