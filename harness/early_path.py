"""What the tests of every early path share: the checks a hit before DRF's dispatch must
still respect, and the ways a credential ends.

* ``InReaders``: a permission that reads the caller's groups, on every request;
* ``TwoAMinute``: a throttle that refuses a caller's third request of a minute;
* ``CREDENTIAL_ENDINGS``: a caller kind, and a change that must end its hits at once;
* ``book_urls``: each book ViewSet served under its own prefix, as the tests' URLconfs do;
* ``EarlyPathChecks``: the tests themselves, which a recipe's test class runs against its
  own books.
"""

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.urls import include, path
from rest_framework import permissions, throttling
from rest_framework.routers import SimpleRouter

from harness.testing import timing

JSON = {"HTTP_ACCEPT": "application/json"}


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


def counting_decodes(monkeypatch: Any) -> list[bytes]:
    """Count what django-redis decodes of the default cache's replies from now on."""
    from django.core.cache import caches

    client = caches["default"].client
    decoded: list[bytes] = []
    decode = client.decode

    def counted(value: Any) -> Any:
        decoded.append(value)
        return decode(value)

    monkeypatch.setattr(client, "decode", counted)
    return decoded


def exchanged(response: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    """What a client sees of a response, but for its cache outcome and date: what an early
    hit must answer exactly as the full path's hit did."""
    headers = [
        (k, v) for k, v in response.items() if k not in ("Server-Timing", "Date")
    ]
    return response.status_code, sorted(headers), response.content


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


class EarlyPathChecks:
    """What a hit before DRF's dispatch keeps of the full path's semantics: whatever ends a
    credential ends its hits at once, and a view whose hits must pass DRF's checks keeps
    them behind its dispatch.

    A recipe's test class names its books: ``books``, the list's path, and
    ``checks_urlconf``, a URLconf (``book_urls``) serving them under ``readers/`` (with
    ``InReaders``), ``throttled/`` (``TwoAMinute``) and ``database-token/`` (DRF's own
    ``TokenAuthentication``), all below ``checks_root``.
    """

    books: str
    checks_urlconf: str
    checks_root: str = "/"
    early_module: Any  # the module that remembers which keys go with an alias

    def test_the_first_hit_in_a_process_reads_the_alias_then_what_it_stands_on(
        self, api_client, counted, monkeypatch
    ):
        client = api_client("alice-token")
        client.get(self.books, **JSON)
        client.get(self.books, **JSON)  # a hit through DRF: the alias is stored
        monkeypatch.setattr(self.early_module, "_known", {})  # another process did
        counted.restart()
        first = client.get(self.books, **JSON)
        second = client.get(self.books, **JSON)
        assert [timing(r).cache for r in (first, second)] == ["hit", "hit"]
        assert counted.redis == ["MGET", "MGET", "MGET"]  # two round trips, then one

    @pytest.mark.parametrize(("kind", "ending"), CREDENTIAL_ENDINGS)
    def test_a_hit_that_reads_the_bytes_found_current_decodes_nothing(
        self, api_client, kind, ending, monkeypatch, django_capture_on_commit_callbacks
    ):
        """The same bytes decode to the same values: the check is skipped only when
        every key reads as it did, so an ended credential is decoded and refused."""
        client = api_client(kind)
        for _ in range(3):  # a miss; a hit through DRF (the alias); an early hit
            client.get(self.books, **JSON)
        decoded = counting_decodes(monkeypatch)
        again = client.get(self.books, **JSON)
        assert (timing(again).cache, decoded) == ("hit", [])
        with django_capture_on_commit_callbacks(execute=True):
            ending()
        assert timing(client.get(self.books, **JSON)).cache != "hit"
        assert decoded != []

    def test_without_django_redis_every_hit_is_decoded_and_still_answered_early(
        self, api_client, counted, monkeypatch, django_capture_on_commit_callbacks
    ):
        """Another cache backend (or no django-redis installed): ``get_many`` decodes."""
        monkeypatch.setattr(self.early_module, "DefaultClient", None)
        client = api_client("alice-token")
        for _ in range(3):
            client.get(self.books, **JSON)
        decoded = counting_decodes(monkeypatch)
        counted.restart()
        assert timing(client.get(self.books, **JSON)).cache == "hit"
        assert (counted.dispatch, counted.redis) == (0, ["MGET"])
        assert decoded != []
        with django_capture_on_commit_callbacks(execute=True):
            token_deleted()
        assert client.get(self.books, **JSON).status_code == 401

    def test_verified_aliases_hold_at_most_their_bytes_the_oldest_going_first(self):
        module = self.early_module
        held = module.VerifiedAliases(most_bytes=250)

        def keep(key: str, size: int) -> tuple:
            read = ((key, b"r" * 10),)
            held.keep(key, read, module.Alias({}, "text/plain", b"x" * (size - 10), ()))
            return read

        reads = {key: keep(key, 100) for key in "abc"}  # c pushes a out
        reads["d"] = keep("d", 300)  # more than the whole: never held
        kept = [key for key, read in reads.items() if held.alias_read_as(key, read)]
        assert kept == ["b", "c"]

    def checked(self, settings: Any, name: str) -> str:
        settings.ROOT_URLCONF = self.checks_urlconf
        return f"{self.checks_root}{name}/books/"

    @pytest.mark.parametrize(("kind", "ending"), CREDENTIAL_ENDINGS)
    def test_whatever_ends_a_credential_ends_its_hits_at_once(
        self, api_client, kind, ending, django_capture_on_commit_callbacks
    ):
        client = api_client(kind)
        client.get(self.books, **JSON)
        assert timing(client.get(self.books, **JSON)).cache == "hit"
        with django_capture_on_commit_callbacks(execute=True):
            ending()
        after = client.get(self.books, **JSON)
        assert timing(after).cache != "hit"
        if kind == "alice-session":  # the session no longer signs alice in
            assert not any(book["is_favorite"] for book in after.json()["results"])
        else:
            assert after.status_code == 401

    def test_a_logout_ends_the_hits_of_every_copy_of_the_cookie(
        self, api_client, django_capture_on_commit_callbacks
    ):
        client = api_client("alice-session")
        client.get(self.books, **JSON)
        client.get(self.books, **JSON)
        cookie = client.cookies["sessionid"].value
        with django_capture_on_commit_callbacks(execute=True):
            client.logout()
        client.cookies["sessionid"] = cookie  # a copy, kept elsewhere
        after = client.get(self.books, **JSON)
        assert timing(after).cache != "hit"
        assert not any(book["is_favorite"] for book in after.json()["results"])

    def test_accept_headers_that_pick_the_same_renderer_share_an_alias(
        self, api_client, counted
    ):
        client = api_client("alice-token")
        client.get(self.books, HTTP_ACCEPT="application/json")
        client.get(self.books, HTTP_ACCEPT="application/json")
        counted.restart()
        shared = client.get(self.books, HTTP_ACCEPT="text/html;q=0.1, application/json")
        assert (timing(shared).cache, counted.dispatch) == ("hit", 0)
        assert client.get(self.books, HTTP_ACCEPT="application/xml").status_code == 406

    def test_a_head_goes_through_drf(self, api_client, counted):
        client = api_client("alice-token")
        client.get(self.books, **JSON)
        client.get(self.books, **JSON)
        counted.restart()
        head = client.head(self.books, **JSON)
        assert (head.status_code, head.content, counted.dispatch) == (200, b"", 1)

    def test_a_throttled_view_counts_every_hit(self, api_client, counted, settings):
        books = self.checked(settings, "throttled")
        client = api_client("alice-token")
        answers = [client.get(books, **JSON) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429]
        assert timing(answers[1]).cache == "hit"  # a hit, behind DRF's throttle
        assert counted.dispatch == 3

    def test_a_permission_that_reads_more_than_the_user_is_checked_on_every_hit(
        self, api_client, settings, django_capture_on_commit_callbacks
    ):
        books = self.checked(settings, "readers")
        readers = Group.objects.create(name="readers")
        alice().groups.add(readers)
        client = api_client("alice-token")
        for _ in range(2):
            client.get(books, **JSON)
        assert timing(client.get(books, **JSON)).cache == "hit"
        with django_capture_on_commit_callbacks(execute=True):
            alice().groups.remove(readers)
        assert client.get(books, **JSON).status_code == 403

    def test_an_authentication_that_names_no_cached_entry_keeps_hits_behind_dispatch(
        self, api_client, counted, settings
    ):
        books = self.checked(settings, "database-token")
        client = api_client("alice-token")
        for _ in range(2):
            client.get(books, **JSON)
        counted.restart()
        assert timing(client.get(books, **JSON)).cache == "hit"
        assert counted.dispatch == 1
