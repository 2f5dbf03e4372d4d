"""The demo behind a real Varnish with the recipe's VCL: hits, purges after commit, and
no caller ever served another's page."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from harness.redis_server import free_port
from harness.redis_topology import wait_until
from harness.traffic import Caller, LiveServer, demo_env, live_server, manage
from harness.varnish import Varnish, require_varnish, varnish_in_front
from recipes.cdn.shared_cache import XKEY, purge_keys, response_keys

from .held import HOLD_DIR
from .test_formats import two_thousand_books

pytestmark = [pytest.mark.real_redis, pytest.mark.slow]
BOOK = "/api/cdn/books/1/"
KINDS = ("anonymous", "alice-token", "bob-token", "alice-session")


@contextmanager
def behind_varnish(
    workdir: Path, settings: str = "recipes.settings", **env: str
) -> Iterator[tuple[LiveServer, Varnish]]:
    """Run the demo under gunicorn (``settings``, ``env``), purging the Varnish in
    front of it."""
    require_varnish()
    port = free_port()
    env = {"SHARED_CACHE_PURGE_URL": f"http://127.0.0.1:{port}/", **env}
    with live_server(workdir, None, settings=settings, server_env=env) as server:
        backend = int(server.base.rsplit(":", 1)[1])
        with varnish_in_front(backend, workdir / "varnish", port) as varnish:
            yield server, varnish


@pytest.fixture(scope="module")
def fronted(tmp_path_factory) -> Iterator[tuple[LiveServer, Varnish]]:
    """The demo behind Varnish, with a second purge 0.2 s after the first."""
    workdir = tmp_path_factory.mktemp("cdn")
    with behind_varnish(workdir, SHARED_CACHE_PURGE_DELAY="0.2") as both:
        yield both


@pytest.fixture(scope="module")
def held(tmp_path_factory) -> Iterator[tuple[LiveServer, Varnish, Path]]:
    """The demo behind Varnish, with responses a test can hold (``held.py``), and a
    second purge 5 s after the first."""
    workdir = tmp_path_factory.mktemp("held")
    hold = workdir / "hold"
    hold.mkdir()
    settings = "recipes.cdn.tests.held_settings"
    env = {"SHARED_CACHE_PURGE_DELAY": "5", HOLD_DIR: str(hold)}
    with behind_varnish(workdir, settings, **env) as (server, varnish):
        yield server, varnish, hold


@pytest.fixture(scope="module")
def soft(tmp_path_factory) -> Iterator[tuple[LiveServer, Varnish]]:
    """The demo behind Varnish, soft-purging (``SHARED_CACHE["SOFT"]``)."""
    workdir = tmp_path_factory.mktemp("soft")
    env = {"SHARED_CACHE_PURGE_DELAY": "0.2", "SHARED_CACHE_SOFT_PURGE": "1"}
    with behind_varnish(workdir, **env) as both:
        yield both


class PurgeGate(BaseHTTPRequestHandler):
    """Between the app and Varnish's purges: forwards each ``PURGE`` while ``open``, and
    answers 503 while closed (a network that cuts the app off, not the readers)."""

    target = ""
    open = True

    def do_PURGE(self) -> None:
        status = 503
        if PurgeGate.open:
            headers = {"xkey-purge": self.headers["xkey-purge"]}
            status = requests.request("PURGE", self.target, headers=headers).status_code
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def gated(tmp_path_factory) -> Iterator[tuple[LiveServer, Varnish, dict[str, str]]]:
    """The demo behind Varnish, purging through a ``PurgeGate``; its processes never
    retry on their own (only ``relay_invalidations`` delivers what the outbox holds).
    Yields the server, Varnish and the environment of the demo's commands."""
    workdir = tmp_path_factory.mktemp("gated")
    gate = ThreadingHTTPServer(("127.0.0.1", 0), PurgeGate)
    threading.Thread(target=gate.serve_forever, daemon=True).start()
    env = {
        "SHARED_CACHE_PURGE_URL": f"http://127.0.0.1:{gate.server_port}/",
        "SHARED_CACHE_PURGE_DELAY": "0",
        "TRACKED_OUTBOX_RETRY": "3600",
    }
    try:
        with behind_varnish(workdir, **env) as (server, varnish):
            PurgeGate.target = varnish.url("/")
            yield server, varnish, demo_env(workdir / "demo.sqlite3", None) | env
    finally:
        gate.shutdown()
        gate.server_close()


def cached(response: requests.Response) -> str:
    return response.headers["X-Cache"]


# --8<-- [start:varnish]
def test_a_second_read_is_a_hit_and_a_committed_write_makes_the_next_fresh(fronted):
    _, varnish = fronted
    anonymous, alice = Caller(varnish, "anonymous"), Caller(varnish, "alice-token")
    for path in (BOOK, "/api/cdn/books/"):
        anonymous.get(path)
        assert cached(anonymous.get(path)) == "HIT", path

    written = alice.send("patch", BOOK, {"title": "Purged after commit"})
    assert written.status_code == 200

    read = anonymous.get(BOOK)
    assert (cached(read), read.json()["title"]) == ("MISS", "Purged after commit")
    page = anonymous.get("/api/cdn/books/")
    assert cached(page) == "MISS"
    assert page.json()["results"][0]["title"] == "Purged after commit"


def test_a_moved_foreign_key_purges_the_old_and_the_new_parent(fronted):
    server, varnish = fronted
    anonymous = Caller(varnish, "anonymous")
    book = anonymous.get("/api/cdn/books/5/").json()
    old, new = book["author"]["id"], book["author"]["id"] % 3 + 1
    pages = [f"/api/cdn/authors/{pk}/" for pk in (old, new)]
    counts = {}
    for page in pages:
        anonymous.get(page)
        hit = anonymous.get(page)
        assert cached(hit) == "HIT", page
        counts[page] = hit.json()["book_count"]

    moved = Caller(server, "alice-token").send(
        "patch", "/api/cdn/books/5/", {"author_id": new}
    )
    assert moved.status_code == 200

    for page, change in zip(pages, (-1, +1), strict=True):
        read = anonymous.get(page)
        assert (cached(read), read.json()["book_count"]) == (
            "MISS",
            counts[page] + change,
        ), page


def test_no_caller_is_served_another_s_page_through_varnish(fronted):
    server, varnish = fronted
    for kind in KINDS:
        caller = Caller(varnish, kind)
        caller.get("/api/cdn/books/")
        through = caller.get("/api/cdn/books/")
        direct = Caller(server, kind) if kind != "alice-session" else caller
        origin = direct.session.get(server.url("/api/uncached/books/"), timeout=30)
        assert through.json()["results"] == origin.json()["results"], kind
        if kind != "anonymous":
            assert cached(through) == "MISS", kind  # never stored


def test_an_unknown_cookie_is_passed_to_the_api(fronted):
    _, varnish = fronted
    visitor = Caller(varnish, "anonymous")
    visitor.session.cookies.set("tracking", "42")
    visitor.get("/api/cdn/authors/")
    assert cached(visitor.get("/api/cdn/authors/")) == "MISS"


def test_clients_never_see_the_keys(fronted):
    _, varnish = fronted
    assert XKEY.header not in Caller(varnish, "anonymous").get(BOOK).headers


# --8<-- [end:varnish]


# --8<-- [start:in_flight]
def test_a_page_rendered_before_a_commit_and_stored_after_its_purge_goes_later(held):
    server, varnish, hold = held
    path, answers = "/api/cdn/books/2/", []
    reader = Caller(varnish, "anonymous")
    slow = threading.Thread(
        target=lambda: answers.append(reader.get(path, headers={"X-Hold": "1"}))
    )
    slow.start()
    # rendered from the old row, not yet sent:
    wait_until((hold / "held").exists, "the page rendered", within=30)
    written = Caller(server, "alice-token").send("patch", path, {"title": "Meanwhile"})
    assert written.status_code == 200  # committed, and purged: nothing stored yet
    (hold / "release").touch()
    slow.join()

    stale = Caller(varnish, "anonymous").get(path)  # (1)!
    assert cached(stale) == "HIT"
    assert stale.json()["title"] == answers[0].json()["title"] != "Meanwhile"
    wait_until(  # (2)!
        lambda: Caller(varnish, "anonymous").get(path).json()["title"] == "Meanwhile",
        "the page purged again",
        within=30,
    )


# --8<-- [end:in_flight]


# --8<-- [start:soft]
def test_a_soft_purge_serves_the_old_page_once_within_grace_then_the_new(soft):
    _, varnish = soft
    anonymous, alice = Caller(varnish, "anonymous"), Caller(varnish, "alice-token")
    anonymous.get(BOOK)
    first = anonymous.get(BOOK)
    assert cached(first) == "HIT"
    assert "stale-while-revalidate=10" in first.headers["Cache-Control"]  # the grace

    alice.send("patch", BOOK, {"title": "Soft-purged"})

    graced = anonymous.get(BOOK)  # (1)!
    assert (cached(graced), graced.json()["title"]) == ("HIT", first.json()["title"])
    wait_until(
        lambda: anonymous.get(BOOK).json()["title"] == "Soft-purged",
        "the new page",
        within=30,
    )


# --8<-- [end:soft]


class Tagged(BaseHTTPRequestHandler):
    """A backend answering every GET with the keys ``header`` holds."""

    header = ""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Cache-Control", "public, s-maxage=60")
        self.send_header("xkey", self.header)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def tagging_backend(tmp_path: Path) -> Iterator[Varnish]:
    """Varnish in front of a backend that tags every response with ``Tagged.header``."""
    require_varnish()
    backend = ThreadingHTTPServer(("127.0.0.1", 0), Tagged)
    thread = threading.Thread(target=backend.serve_forever, daemon=True)
    thread.start()
    try:
        with varnish_in_front(backend.server_port, tmp_path / "varnish") as varnish:
            yield varnish
    finally:
        backend.shutdown()
        thread.join()
        backend.server_close()


# --8<-- [start:oversized]
def test_every_key_of_2000_objects_breaks_the_page_in_varnish(tagging_backend):
    Tagged.header = " ".join(purge_keys(two_thousand_books()))  # no fallback
    assert requests.get(tagging_backend.url("/naive"), timeout=10).status_code == 503


def test_the_fallback_keys_of_2000_objects_are_served_and_purged(tagging_backend):
    Tagged.header = " ".join(response_keys(two_thousand_books(), XKEY))
    path = tagging_backend.url("/page")
    assert requests.get(path, timeout=10).status_code == 200
    assert requests.get(path, timeout=10).headers["X-Cache"] == "HIT"

    a_write = purge_keys({"bookshop_book": {"#7", "@*"}})  # any write marks @*
    requests.request("PURGE", path, headers={"xkey-purge": " ".join(a_write)})
    assert requests.get(path, timeout=10).headers["X-Cache"] == "MISS"


# --8<-- [end:oversized]


# --8<-- [start:outage]
def test_a_purge_varnish_missed_waits_in_the_outbox_until_the_relay(gated):
    server, varnish, command_env = gated
    anonymous, path = Caller(varnish, "anonymous"), "/api/cdn/books/3/"
    anonymous.get(path)
    old = anonymous.get(path)
    assert cached(old) == "HIT"

    PurgeGate.open = False  # (1)!
    written = Caller(server, "alice-token").send("patch", path, {"title": "Late"})
    assert written.status_code == 200  # never failed by the purge
    assert anonymous.get(path).json() == old.json()  # Varnish keeps the old page

    PurgeGate.open = True
    relay = manage("relay_invalidations", env=command_env)
    assert "Relayed 1 pending" in relay.stdout
    fresh = anonymous.get(path)
    assert (cached(fresh), fresh.json()["title"]) == ("MISS", "Late")


# --8<-- [end:outage]
