"""A bookshop in memory, for the recipe stories and notebooks: no server, no files.

``start()`` points Django at an in-memory SQLite database (and, unless ``REDIS_URL`` says
otherwise, the in-process fakeredis cache), migrates it and seeds it. ``client(kind)`` gives
an API client for each kind of caller, and ``tell()`` prints one exchange in a line: what the
cache did, how many queries ran, how long it took.
"""

import os
import time
from dataclasses import dataclass
from typing import Any

from .server_timing import read_timing

CLIENT_KINDS = ("anonymous", "alice-token", "bob-token", "alice-session", "bob-session")


def start(size: str = "small") -> None:
    """Set up Django on a fresh in-memory database, migrated and seeded with ``size`` data."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recipes.settings")
    os.environ["DATABASE_URL"] = "sqlite://:memory:"
    import django
    from django.core.cache import caches
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from .seed import seed

    seed(size)
    for cache in caches.all():
        cache.clear()


def client(kind: str) -> Any:
    """Return an API client: ``anonymous``, or alice/bob by ``-token`` or ``-session``.

    Each request the client sends ends as a committed request does in production: the
    ``transaction.on_commit`` callbacks it registered run, even inside a test's transaction.
    """
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import TestCase
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    class CommittingAPIClient(APIClient):
        def request(self, **request: Any) -> Any:
            pending = connection.run_on_commit
            already = len(pending)
            try:
                with TestCase.captureOnCommitCallbacks(execute=True):
                    return super().request(**request)
            finally:  # run once: a request sent from inside another must not run twice
                del pending[already:]

    api = CommittingAPIClient()
    if kind == "anonymous":
        return api
    username, _, method = kind.partition("-")
    user = get_user_model().objects.get(username=username)
    if method == "token":
        api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get(user=user).key}")
    elif method == "session":
        api.force_login(user)
    else:
        raise ValueError(f"Unknown client kind {kind!r}; use one of {CLIENT_KINDS}")
    return api


@dataclass(frozen=True)
class Exchange:
    """One request as a reader sees it: status, cache outcome, queries and wall time."""

    status: int
    cache: str
    queries: int
    milliseconds: float
    response: Any

    def __str__(self) -> str:
        return (
            f"{self.status}  cache {self.cache:<6}  {self.queries:>4} queries  "
            f"{self.milliseconds:7.1f} ms"
        )


def exchange(
    api: Any, method: str, path: str, data: Any = None, **extra: Any
) -> Exchange:
    """Send one request through ``api`` and read its ``Server-Timing`` header."""
    started = time.perf_counter()
    response = getattr(api, method.lower())(path, data, format="json", **extra)
    milliseconds = (time.perf_counter() - started) * 1000
    timing = read_timing(response)
    return Exchange(
        response.status_code, timing.cache, timing.queries, milliseconds, response
    )


def tell(
    label: str, api: Any, method: str, path: str, data: Any = None, **extra: Any
) -> Exchange:
    """Send one request and print it on one line, after ``label``."""
    result = exchange(api, method, path, data, **extra)
    print(f"{label:<28} {method.upper():<6} {path:<34} {result}")
    return result


def collect_cache_errors() -> list:
    """Collect django_redis's log records instead of printing their tracebacks."""
    import logging

    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("django_redis")
    logger.handlers, logger.propagate = [handler], False
    return records
