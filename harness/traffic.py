"""Concurrent traffic against a real server: what sequential tests in one process cannot see.

* ``LiveServer`` migrates and seeds a fresh SQLite file (WAL, see the settings), then serves
  the demo with gunicorn: several worker processes, several threads each, on a free loopback
  port, caching in the ``redis-server`` the caller names.
* ``Caller`` is one kind of client as the server sees it: anonymous, by token, or by session
  cookie after a real login.
* ``run_traffic`` sends reader threads after a set of URLs while one writer makes
  acknowledged writes through the API, each bounded in count and time.
* ``stale_reads`` then reads every URL twice, as every caller, from the recipe and from the
  uncached API: each difference is an entry that outlived a write.
"""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from .redis_server import free_port

READ_PATHS = (
    "books/",
    "books/?page=2",
    "books/1/",
    "books/2/",
    "books/51/",
    "authors/",
    "authors/1/",
    "authors/2/",
)
CALLERS = ("anonymous", "alice-token", "bob-token", "alice-session")
REQUEST_TIMEOUT = 30


@dataclass
class LiveServer:
    """A gunicorn process serving the demo project, and where it logs."""

    base: str
    process: subprocess.Popen
    log: Path  # gunicorn's and the project's log output: tracebacks of any 500

    def errors_logged(self) -> str:
        """Return the log's ERROR records and tracebacks so far."""
        text = self.log.read_text(errors="replace")
        return text if ("Traceback" in text or "ERROR" in text) else ""

    def url(self, path: str) -> str:
        return self.base + path


def demo_env(
    database: Path, redis_url: str | None, settings: str = "recipes.settings"
) -> dict[str, str]:
    """Return the environment of a demo process on ``database`` and ``redis_url``."""
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env |= {
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": settings,
        "DJANGO_DEBUG": "0",
        "PYTHONUNBUFFERED": "1",
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run ``python -m recipes <args>`` in ``env``."""
    return subprocess.run(
        [sys.executable, "-m", "recipes", *args],
        env=env,
        check=True,
        timeout=300,
        capture_output=True,
        text=True,
    )


@contextmanager
def live_server(
    workdir: Path,
    redis_url: str | None,
    *,
    settings: str = "recipes.settings",
    size: str = "small",
    workers: int = 2,
    threads: int = 8,
    server_env: dict[str, str] | None = None,
    asgi: bool = False,
) -> Iterator[LiveServer]:
    """Migrate, seed and serve the demo with gunicorn (or, ``asgi``, with uvicorn) until
    the block ends; ``server_env`` adds to the environment of the server alone."""
    env = demo_env(workdir / "demo.sqlite3", redis_url, settings)
    manage("migrate", "--verbosity", "0", env=env)
    manage("seed", "--size", size, env=env)
    port = free_port()
    log = workdir / "server.log"
    log_file = log.open("w")
    process = subprocess.Popen(
        (uvicorn if asgi else gunicorn)(port, workers, threads),
        env=env | (server_env or {}),
        stdout=subprocess.DEVNULL,
        stderr=log_file,
    )
    server = LiveServer(f"http://127.0.0.1:{port}", process, log)
    try:
        wait_until_it_answers(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log_file.close()


def gunicorn(port: int, workers: int, threads: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "recipes.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        f"--threads={threads}",
        # A client's connection may idle for seconds (a writer between two writes):
        # gunicorn's default of 2 s would close it just as a request is on its way, and
        # the client would read a reset connection instead of an answer.
        "--keep-alive=75",
        "--timeout=60",
        "--graceful-timeout=5",
        "--log-level=warning",
    ]


def uvicorn(port: int, workers: int, threads: int) -> list[str]:
    """One event loop per worker (``threads`` unused: asgiref gives the sync code of each
    request a thread of its own)."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "recipes.asgi:application",
        "--host=127.0.0.1",
        f"--port={port}",
        f"--workers={workers}",
        "--log-level=warning",
    ]


def wait_until_it_answers(server: LiveServer, seconds: float = 60) -> None:
    """Wait for the first answer: a worker still importing on a busy machine may take
    longer than one request's timeout, so a timeout is retried like a refusal."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            requests.get(server.url("/api/recipes/"), timeout=5)
            return
        except (requests.ConnectionError, requests.Timeout):
            if server.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited: {server.log.read_text()}"
                ) from None
            if time.monotonic() > deadline:
                raise RuntimeError("the live server did not answer in time") from None
            time.sleep(0.1)


TOKENS: dict[tuple[str, str], str] = {}


class Caller:
    """One client of the live server: anonymous, or alice/bob by token or by session."""

    def __init__(self, server: LiveServer, kind: str) -> None:
        self.server = server
        self.kind = kind
        self.session = requests.Session()
        self.session.headers["Accept"] = "application/json"
        if kind != "anonymous":
            username, _, method = kind.partition("-")
            if method == "token":
                self.session.headers["Authorization"] = self._token(username)
            else:
                self._log_in(username)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.get(
            self.server.url(path), timeout=REQUEST_TIMEOUT, **kwargs
        )

    def send(self, method: str, path: str, payload: Any = None) -> requests.Response:
        headers = {"X-CSRFToken": self.session.cookies.get("csrftoken", "")}
        return self.session.request(
            method,
            self.server.url(path),
            json=payload,
            headers=headers,
            timeout=REQUEST_TIMEOUT,
        )

    def _token(self, username: str) -> str:
        """Log in once per user and server: a password check costs a few hundred ms."""
        if (self.server.base, username) not in TOKENS:
            TOKENS[self.server.base, username] = self._new_token(username)
        return TOKENS[self.server.base, username]

    def _new_token(self, username: str) -> str:
        response = requests.post(
            self.server.url("/api/token/"),
            json={"username": username, "password": "cookbook"},
            timeout=REQUEST_TIMEOUT,
        )
        response.raise_for_status()
        return f"Token {response.json()['token']}"

    def _log_in(self, username: str) -> None:
        login = self.server.url("/api-auth/login/")
        page = self.session.get(login, timeout=REQUEST_TIMEOUT).text
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        self.session.post(
            login,
            data={
                "username": username,
                "password": "cookbook",
                "csrfmiddlewaretoken": csrf,
            },
            headers={"Referer": login},
            timeout=REQUEST_TIMEOUT,
        )
        if "sessionid" not in self.session.cookies:
            raise RuntimeError(f"{username} could not log in")


Write = tuple[str, str, Any]


def writes(book_ids: Iterable[int], rounds: int) -> Iterator[Write]:
    """Yield the API's write paths over ``book_ids``, ``rounds`` times over.

    Seeded books are edited, moved, reviewed and favourited, never deleted, so that reads
    keep meeting them; each round also creates a book and deletes it again.
    """
    for n, book_id in zip(range(rounds), itertools.cycle(book_ids), strict=False):
        yield ("patch", f"books/{book_id}/", {"title": f"Edition {n}"})
        yield ("patch", f"books/{book_id}/", {"author_id": 1 + n % 2})
        yield ("post", "reviews/", {"book_id": book_id, "rating": 1 + n % 5})
        yield ("post", f"books/{book_id}/favorite/", None)
        yield (
            "post",
            "books/",
            {
                "title": f"New {n}",
                "author_id": 2,
                "published": "2024-01-01",
                "price": "5.00",
            },
        )
        yield ("delete", "books/{created}/", None)


@dataclass
class TrafficReport:
    reads: int = 0
    writes: int = 0
    errors: list[str] = field(default_factory=list)
    # Every ETag a reader was given, with the body it came with: (kind, path, ETag, body).
    validators: list[tuple[str, str, str, str]] = field(default_factory=list)


def run_traffic(
    server: LiveServer,
    slug: str,
    *,
    readers: int = 8,
    rounds: int = 6,
    seconds: float = 60,
    paths: Iterable[str] = READ_PATHS,
    writes_to: str | None = None,
) -> TrafficReport:
    """Read ``paths`` from ``readers`` threads while one writer makes its writes (through
    ``writes_to``'s API, if given: another recipe's views, on the same data).

    Every write is acknowledged (2xx) before the next; every read must be a 200. Each
    reader reads every path once more after the last write. Returns the counts and any
    error seen.
    """
    paths = [f"/api/{slug}/{path}" for path in paths]
    report = TrafficReport()
    lock = threading.Lock()
    done = threading.Event()
    deadline = time.monotonic() + seconds

    def read(caller: Caller) -> None:
        last_pass = len(paths)  # once the writes are acknowledged, read each path again
        for path in itertools.cycle(paths):
            if time.monotonic() > deadline:
                return
            if done.is_set():
                if not last_pass:
                    return
                last_pass -= 1
            response = caller.get(path)
            with lock:
                report.reads += 1
                if response.status_code != 200:
                    report.errors.append(f"GET {path}: {response.status_code}")
                elif etag := response.headers.get("ETag"):
                    report.validators.append((caller.kind, path, etag, response.text))

    def write(caller: Caller) -> None:
        created = None
        try:
            for method, path, payload in writes((1, 2, 51), rounds):
                path = f"/api/{writes_to or slug}/{path.format(created=created)}"
                response = caller.send(method, path, payload)
                with lock:
                    report.writes += 1
                    if response.status_code >= 300:
                        report.errors.append(
                            f"{method.upper()} {path}: {response.status_code}"
                        )
                if method == "post" and path.endswith("/books/"):
                    created = response.json().get("id")
                if time.monotonic() > deadline:
                    return
        finally:
            done.set()

    kinds = itertools.cycle(CALLERS)
    threads = [
        threading.Thread(target=read, args=(Caller(server, next(kinds)),))
        for _ in range(readers)
    ]
    threads.append(
        threading.Thread(target=write, args=(Caller(server, "alice-token"),))
    )
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + REQUEST_TIMEOUT)
    return report


def stale_reads(
    server: LiveServer, slug: str, paths: Iterable[str] = READ_PATHS
) -> list[str]:
    """Read every path twice as every caller, from ``slug`` and uncached; list differences."""
    differences = []
    for kind in CALLERS:
        caller = Caller(server, kind)
        for path in paths:
            fresh = uncached_as(caller, f"/api/{slug}/{path}")
            for attempt in (1, 2):
                cached = caller.get(f"/api/{slug}/{path}")
                if (cached.status_code, cached.text) != (fresh.status_code, fresh.text):
                    differences.append(
                        f"{kind} {path} (read {attempt}): "
                        f"{first_difference(cached.text, fresh.text)}"
                    )
    return differences


@dataclass(frozen=True)
class Answer:
    status_code: int
    text: str


def uncached_as(caller: Caller, path: str, prefix: str | None = None) -> Answer:
    """Answer ``path`` from the uncached API, its links rewritten to ``prefix`` (by
    default the recipe's ``/api/<slug>/``) so that equal data reads as equal text."""
    prefix = prefix or f"/api/{path.split('/')[2]}/"
    fresh = caller.get(path.replace(prefix, "/api/uncached/", 1))
    return Answer(fresh.status_code, fresh.text.replace("/api/uncached/", prefix))


def first_difference(served: str, expected: str, context: int = 60) -> str:
    """Return where two bodies first differ, a little either side."""
    at = next(
        (i for i, (a, b) in enumerate(zip(served, expected, strict=False)) if a != b),
        min(len(served), len(expected)),
    )
    start = max(0, at - context)
    return f"served ...{served[start : at + 20]}... uncached ...{expected[start : at + 20]}..."


SERVER_TIMING_CACHE = re.compile(r'cache;desc="([a-z-]+)"')


def burst(server: LiveServer, path: str, *, requests_at_once: int = 40) -> list[str]:
    """Send ``requests_at_once`` identical requests together; return their cache outcomes.

    Every thread logs in and connects first, then all wait at a barrier and send at once.
    """
    callers = [Caller(server, "alice-token") for _ in range(requests_at_once)]
    for caller in callers:
        caller.get("/api/recipes/")  # open the connection before the burst
    together = threading.Barrier(requests_at_once)

    def send(caller: Caller) -> str:
        together.wait(timeout=REQUEST_TIMEOUT)
        response = caller.get(path)
        response.raise_for_status()
        return SERVER_TIMING_CACHE.search(response.headers["Server-Timing"])[1]

    with ThreadPoolExecutor(max_workers=requests_at_once) as pool:
        return list(pool.map(send, callers))


def stale_not_modified(server: LiveServer, report: TrafficReport) -> list[str]:
    """Revalidate every ETag the readers were given; list each 304 whose body is stale.

    A 304 tells the client that the body it holds is current: it must equal what the
    uncached API answers now, for the same caller.
    """
    callers = {kind: Caller(server, kind) for kind in CALLERS}
    stale, confirmed = [], 0
    for kind, path, etag, body in report.validators:
        answer = callers[kind].get(path, headers={"If-None-Match": etag})
        if answer.status_code != 304:
            continue
        confirmed += 1
        now = uncached_as(callers[kind], path)
        if body != now.text:
            stale.append(
                f"{kind} {path}: 304 for {etag}, {first_difference(body, now.text)}"
            )
    if not confirmed:  # the check ran on nothing
        stale.append("no ETag was confirmed with a 304: nothing was checked")
    return stale
