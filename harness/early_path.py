"""What the tests of every early path share: the checks a hit before DRF's dispatch must
still respect, and the ways a credential ends.

* ``InReaders``: a permission that reads the caller's groups, on every request;
* ``TwoAMinute``: a throttle that refuses a caller's third request of a minute;
* ``CREDENTIAL_ENDINGS``: a caller kind, and a change that must end its hits at once;
* ``book_urls``: each book ViewSet served under its own prefix, as the tests' URLconfs do.
"""

from collections.abc import Callable
from typing import Any

from django.urls import include, path
from rest_framework import permissions, throttling
from rest_framework.routers import SimpleRouter


class InReaders(permissions.BasePermission):
    """Only members of the ``readers`` group read: a query, on every request."""

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return user.is_authenticated and user.groups.filter(name="readers").exists()


class TwoAMinute(throttling.UserRateThrottle):
    rate = "2/min"


def alice() -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="alice")


def token_deleted() -> None:
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=alice()).delete()


def user_deactivated() -> None:
    user = alice()
    user.is_active = False
    user.save()


CREDENTIAL_ENDINGS: list[tuple[str, Callable[[], None]]] = [
    ("alice-token", token_deleted),
    ("alice-token", user_deactivated),
    ("alice-session", user_deactivated),
]


def router_for(viewset: type) -> list:
    router = SimpleRouter()
    router.register("books", viewset, basename="book")
    return router.urls


def book_urls(viewsets: dict[str, type]) -> list:
    """Serve each ViewSet's books under ``<prefix>/books/``."""
    return [
        path(f"{prefix}/", include((router_for(viewset), prefix.replace("/", "-"))))
        for prefix, viewset in viewsets.items()
    ]
