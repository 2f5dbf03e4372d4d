"""Fixtures the tracked recipe's tests share."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections

from recipes.bookshop.models import Author
from recipes.tracked.outbox import PendingInvalidation
from recipes.tracked.tracked_cache import _delivery


@pytest.fixture
def autocommitted(tmp_path: Path, django_db_blocker) -> Iterator[tuple[str, Path]]:
    """A second database, a file, where a write commits as it runs: the test database
    holds each test in one transaction (and, in one, forbids queries to any other).
    Returns its alias and its file."""
    alias, path = "autocommitted", tmp_path / "autocommitted.sqlite3"
    database = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}
    connections.settings[alias] = connections.configure_settings(
        {"default": database, alias: database}
    )[alias]
    with django_db_blocker.unblock():
        with connections[alias].schema_editor() as editor:
            editor.create_model(Author)
            editor.create_model(PendingInvalidation)
        yield alias, path
        connections[alias].close()
    _delivery.databases.discard(alias)
    del connections[alias]
    del connections.settings[alias]
