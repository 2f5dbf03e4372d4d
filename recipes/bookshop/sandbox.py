"""A bookshop in memory, for the recipe stories and notebooks: no server, no files.

``start()`` points Django at an in-memory SQLite database (and, unless ``REDIS_URL`` says
otherwise, the in-process fakeredis cache), migrates it, seeds it and warms Django up.
``client(kind)`` gives an API client for each kind of caller, and ``tell()`` prints one
exchange in a line that fits a notebook's column: what the cache did, how many queries ran,
how long it took. ``draw_timings()`` charts many such times side by side.
"""

import json
import os
import time
from dataclasses import dataclass
from typing import Any

from .server_timing import read_timing

CLIENT_KINDS = ("anonymous", "alice-token", "bob-token", "alice-session", "bob-session")


def start(size: str = "small") -> None:
    """Set up Django on a fresh in-memory database, migrated and seeded with ``size`` data.

    Jupyter runs each cell inside an event loop, where Django refuses database calls
    unless ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set: the notebooks' requests are synchronous,
    one at a time, so it is set here rather than in each notebook's first cell."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recipes.settings")
    os.environ["DATABASE_URL"] = "sqlite://:memory:"
    import django
    from django.core.cache import caches
    from django.core.management import call_command

    django.setup()
    share_the_memory_database()
    call_command("migrate", verbosity=0)
    from .seed import seed

    seed(size)
    warm_up()
    for cache in caches.all():
        cache.clear()


def share_the_memory_database() -> None:
    """Name the in-memory database so that every thread of the process opens the same
    one: an async view's sync parts run in a worker thread, with a connection of its own
    (SQLite gives each ``:memory:`` connection a database of its own)."""
    from django.db import connections

    connections["default"].settings_dict["NAME"] = (
        "file:cookbook-sandbox?mode=memory&cache=shared"
    )


def warm_up() -> None:
    """Send one request of each kind first: Django builds its URL resolver, DRF its
    serializers and renderers, on a process's first requests. Without this, a notebook's
    first request would time that one-off set-up rather than its cache."""
    from django.test import Client

    for path in ("/api/uncached/books/", "/api/uncached/books/1/", "/api/recipes/"):
        Client().get(path, HTTP_ACCEPT="application/json")


def client(kind: str) -> Any:
    """Return an API client: ``anonymous``, or alice/bob by ``-token`` or ``-session``.

    Each request the client sends ends as a committed request does in production: the
    ``transaction.on_commit`` callbacks it registered run, even inside a test's transaction.
    """
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from recipes.testing.cache_testing import CommittingAPIClient

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
            f"{self.status}  cache {self.cache:<6} {self.queries:>3} queries "
            f"{self.milliseconds:6.1f} ms"
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


LINE = 70  # characters: a notebook's output column on the site
LABEL = 26
_last_request: list[Any] = [None]


def tell(
    label: str, api: Any, method: str, path: str, data: Any = None, **extra: Any
) -> Exchange:
    """Send one request and print what happened on one line, after ``label``.

    The request itself (method and path) heads the lines that follow, printed again
    when it changes or a new notebook cell starts, so that every line fits the column.
    """
    result = exchange(api, method, path, data, **extra)
    told(label, method, path, result)
    return result


class AsgiClient:
    """An API client's caller (its token, or its session cookie) through Django's ASGI
    handler, as uvicorn would serve it: ``await asgi.request("GET", path)``."""

    def __init__(self, api: Any) -> None:
        from django.test import AsyncClient

        self.headers = {"Accept": "application/json"}
        if token := api._credentials.get("HTTP_AUTHORIZATION"):
            self.headers["Authorization"] = token
        self.client = AsyncClient()
        self.client.cookies = api.cookies

    async def request(self, method: str, path: str, data: Any = None) -> Any:
        send = getattr(self.client, method.lower())
        if data is None:
            return await send(path, headers=self.headers)
        body = json.dumps(data)
        return await send(path, body, "application/json", headers=self.headers)


def asgi_client(kind: str) -> AsgiClient:
    """Return a client of ``kind`` (as ``client()`` takes) through the ASGI handler."""
    return AsgiClient(client(kind))


async def atell(
    label: str, api: AsgiClient, method: str, path: str, data: Any = None
) -> Exchange:
    """``tell()``, through Django's ASGI handler: ``await sandbox.atell(...)``."""
    started = time.perf_counter()
    response = await api.request(method, path, data)
    milliseconds = (time.perf_counter() - started) * 1000
    timing = read_timing(response)
    result = Exchange(
        response.status_code, timing.cache, timing.queries, milliseconds, response
    )
    told(label, method, path, result)
    return result


def told(label: str, method: str, path: str, result: Exchange) -> None:
    """Print one exchange's line, under its request when that changed."""
    request = (method.upper(), path, current_cell())
    if request != _last_request[0]:
        print(shortened(f"{method.upper()} {path}"))
        _last_request[0] = request
    print(f"  {label:<{LABEL}} {result}")


def shortened(line: str) -> str:
    """Return ``line`` cut to the column, saying how long it was."""
    if len(line) <= LINE:
        return line
    note = f"... ({len(line):,} characters)"
    return line[: LINE - len(note)] + note


def current_cell() -> Any:
    """Return what tells one notebook cell from the next (IPython's execution count)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    return shell.execution_count if shell is not None else None


def new_cell() -> None:
    """Start a new cell where no IPython counts them (``recipes/story.py``)."""
    _last_request[0] = None


def draw_timings(timings: dict[str, list[float]], caller: str) -> None:
    """Draw each named list of request times (ms) as a box, the first at the bottom.

    The scale is logarithmic: a hit is tens of times faster than a miss, and on a linear
    scale its box would be a line against the axis.
    """
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 0.8 + 0.6 * len(timings)))
    axes.boxplot(
        list(timings.values()), orientation="horizontal", tick_labels=list(timings)
    )
    axes.set_xscale("log")
    axes.set_xlabel(f"ms per request, {caller} (log scale)")
    figure.tight_layout()


def collect_cache_errors() -> list:
    """Collect django_redis's log records instead of printing their tracebacks."""
    import logging

    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("django_redis")
    logger.handlers, logger.propagate = [handler], False
    return records
