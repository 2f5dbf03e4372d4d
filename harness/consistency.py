"""What every invalidating recipe must do: cached reads equal uncached reads, always.

``WRITES`` and ``assert_no_stale_read_after`` check each write path of the API once.

``ConsistencyMachine`` is a Hypothesis state machine. It sends random sequences of reads and
writes through one recipe's API, as several users, and checks every read against the
uncached baseline (``/api/uncached/``) read at the same moment by the same user. Any stale
entry, or any entry served to the wrong user, shows up as a difference. Each run starts from
the seeded bookshop with empty caches and is rolled back afterwards.

A recipe's test subclasses it, names its ``slug`` and may add rules (the signals recipe adds
the ORM's bulk write paths).
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.db import connection, transaction
from django.test.utils import override_settings
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from recipes.bookshop import sandbox

from .testing import (
    assert_reads_match_uncached,
    read_recipe,
    read_uncached,
)

NEW_BOOK = {
    "title": "Fresh",
    "author_id": 1,
    "published": "2024-01-01",
    "price": "5.00",
}
WRITES = [
    pytest.param("post", "books/", NEW_BOOK, id="create"),
    pytest.param("put", "books/{id}/", NEW_BOOK, id="update"),
    pytest.param("patch", "books/{id}/", {"title": "Renamed"}, id="partial-update"),
    pytest.param("patch", "books/{id}/", {"author_id": 9}, id="move-to-another-author"),
    pytest.param("delete", "books/{id}/", None, id="delete"),
    pytest.param("post", "books/{id}/favorite/", None, id="favorite-toggle"),
    pytest.param("post", "reviews/", {"book_id": "{id}", "rating": 1}, id="review"),
]


def assert_no_stale_read_after(
    api_client: Any, slug: str, book: Any, method: str, path: str, payload: Any
) -> None:
    """Warm every view that shows ``book`` for two users, write, and compare every view."""
    alice, bob = api_client("alice-token"), api_client("bob-session")
    reads = [
        f"/api/{slug}/{rest}"
        for rest in (
            "books/",
            "books/?page=2",
            f"books/{book.pk}/",
            "authors/",
            f"authors/{book.author_id}/",
            "authors/9/",
        )
    ]
    for client in (alice, bob):
        for read in reads:
            client.get(read)
    if payload and "book_id" in payload:
        payload = {**payload, "book_id": book.pk}

    response = getattr(alice, method)(
        f"/api/{slug}/{path.format(id=book.pk)}", payload, format="json"
    )

    assert response.status_code < 300, response.content
    for client in (alice, bob):
        assert_reads_match_uncached(client, reads)


def assert_links_name_the_requests_own_host(api_client: Any, path: str) -> None:
    """Fill the cache from one host; another host must get links to itself."""
    client = api_client("anonymous")
    client.get(path, HTTP_HOST="api.localhost")
    response = client.get(path, HTTP_HOST="mirror.localhost")
    assert response.json()["next"] == f"http://mirror.localhost{path}?page=2"


READERS = ("anonymous", "alice-token", "bob-session")
WRITERS = ("alice-token", "bob-session")
# A few ids, so that reads and writes meet often: with pages of PAGE_SIZE books, 1 and 2
# are on the first list page, 7 on the second, and 61 does not exist until a book is
# created.
PAGE_SIZE = 5
BOOK_IDS = st.sampled_from([1, 2, 7, 61])
AUTHOR_IDS = st.sampled_from([1, 2])
READS = st.lists(
    st.sampled_from(
        [
            "books/",
            "books/?page=2",
            "books/1/",
            "books/2/",
            "books/7/",
            "books/61/",
            "authors/",
            "authors/1/",
            "authors/2/",
        ]
    ),
    min_size=1,
    max_size=4,
)

RUN_SETTINGS = settings(
    # Twelve sequences of up to twenty steps per recipe, about a minute of one core each;
    # CONSISTENCY_EXAMPLES=200 searches harder, for a quarter of an hour per recipe.
    max_examples=int(os.environ.get("CONSISTENCY_EXAMPLES", "12")),
    stateful_step_count=20,
    deadline=None,
    # CI replays the same sequences on every run.
    derandomize=os.environ.get("CI") == "true",
    # Shrinking replays hundreds of slow API sequences; the failure message already names
    # the stale read, and the steps that led to it are printed.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)


def check_consistency(machine: type[ConsistencyMachine]) -> None:
    """Run ``machine`` (inside a test that has the ``bookshop`` fixture)."""
    run_state_machine_as_test(machine, settings=RUN_SETTINGS)


class ConsistencyMachine(RuleBasedStateMachine):
    slug: ClassVar[str]

    def __init__(self) -> None:
        super().__init__()
        # Django 6.1 renamed savepoint() savepoint_create(); 5.2 has only the first.
        create = getattr(transaction, "savepoint_create", None) or transaction.savepoint
        self.savepoint = create()
        self.small_pages = override_settings(
            REST_FRAMEWORK={**django_settings.REST_FRAMEWORK, "PAGE_SIZE": PAGE_SIZE}
        )
        self.small_pages.enable()
        for cache in caches.all():
            cache.clear()
        self.clients = {kind: sandbox.client(kind) for kind in (*READERS, *WRITERS)}
        self.mismatches: list[str] = []
        self.read_back: list[str] = ["books/", "books/1/", "authors/1/"]
        # What the uncached API answered, per reader and path, since the database last
        # changed: any INSERT, UPDATE or DELETE, whoever runs it, forgets all of it.
        self.truth: dict[tuple[str, str], tuple[int, Any]] = {}
        self.watching_writes = connection.execute_wrapper(self.forget_truth_on_write)
        self.watching_writes.__enter__()

    def forget_truth_on_write(
        self, execute: Any, sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        if sql.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            self.truth.clear()
        return execute(sql, params, many, context)

    def path(self, rest: str) -> str:
        return f"/api/{self.slug}/{rest}"

    def write(self, writer: str, method: str, rest: str, data: Any = None) -> None:
        """Send a write, then have its writer read back a few views (read-your-writes)."""
        client = self.clients[writer]
        response = getattr(client, method)(self.path(rest), data, format="json")
        assert response.status_code < 500, response.content
        for path in self.read_back:
            self.compare(writer, path)

    @rule(writer=st.sampled_from(WRITERS), paths=READS)
    def warm_views_to_read_back(self, writer: str, paths: list[str]) -> None:
        """Fill the writer's entries for ``paths``, which the following writes read back."""
        for path in paths:
            self.compare(writer, path)
        self.read_back = paths

    def compare(self, reader: str, rest: str) -> None:
        client, path = self.clients[reader], self.path(rest)
        cached = read_recipe(client, path)
        if (reader, rest) not in self.truth:
            self.truth[reader, rest] = read_uncached(client, path)
        fresh = self.truth[reader, rest]
        if cached != fresh:
            self.mismatches.append(
                f"{reader} GET {rest}: cached {cached} != fresh {fresh}"
            )

    @rule(reader=st.sampled_from(READERS), paths=READS)
    def read(self, reader: str, paths: list[str]) -> None:
        for path in paths:
            self.compare(reader, path)

    @rule(writer=st.sampled_from(WRITERS), author_id=AUTHOR_IDS)
    def create_book(self, writer: str, author_id: int) -> None:
        book = {
            "title": "New",
            "author_id": author_id,
            "published": "2024-01-01",
            "price": "5",
        }
        self.write(writer, "post", "books/", book)

    @rule(
        writer=st.sampled_from(WRITERS),
        book_id=BOOK_IDS,
        title=st.text(min_size=1, max_size=8),
    )
    def rename_book(self, writer: str, book_id: int, title: str) -> None:
        self.write(writer, "patch", f"books/{book_id}/", {"title": title})

    @rule(writer=st.sampled_from(WRITERS), book_id=BOOK_IDS, author_id=AUTHOR_IDS)
    def move_book(self, writer: str, book_id: int, author_id: int) -> None:
        self.write(writer, "patch", f"books/{book_id}/", {"author_id": author_id})

    @rule(writer=st.sampled_from(WRITERS), book_id=BOOK_IDS)
    def delete_book(self, writer: str, book_id: int) -> None:
        self.write(writer, "delete", f"books/{book_id}/")

    @rule(writer=st.sampled_from(WRITERS), book_id=BOOK_IDS)
    def toggle_favorite(self, writer: str, book_id: int) -> None:
        self.write(writer, "post", f"books/{book_id}/favorite/")

    @rule(writer=st.sampled_from(WRITERS), book_id=BOOK_IDS, rating=st.integers(1, 5))
    def review_book(self, writer: str, book_id: int, rating: int) -> None:
        self.write(writer, "post", "reviews/", {"book_id": book_id, "rating": rating})

    @invariant()
    def every_read_matched_the_uncached_api(self) -> None:
        if (
            self.mismatches
        ):  # a plain raise: pytest's assertion diff of API bodies is slow
            raise AssertionError("\n".join(m[:600] for m in self.mismatches[:3]))

    def teardown(self) -> None:
        self.small_pages.disable()
        self.watching_writes.__exit__(None, None, None)
        transaction.savepoint_rollback(self.savepoint)
        for cache in caches.all():
            cache.clear()
