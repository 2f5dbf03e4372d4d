"""Build the docs site, and serve a built site over HTTP, for the tests that read it."""

import functools
import http.server
import os
import re
import socketserver
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Where the site is published: its pages link to their sources, and its 404 page, served
# for any missing path, addresses everything from the site's root (/drf/).
PUBLISHED = {
    "SITE_URL": "https://cookbook.example.test/drf/",
    "REPO_URL": "https://github.com/example/drf-caching-cookbook",
    "EDIT_URI": "https://github.com/example/drf-caching-cookbook/edit/main/docs/",
}


def mkdocs_build(
    config: Path, site: Path, **environment: str
) -> subprocess.CompletedProcess:
    """Build the site of ``config`` strictly into ``site``, with ``environment`` set."""
    command = ["mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)]
    return subprocess.run(
        [sys.executable, "-m", *command],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **environment},
        timeout=600,
        check=False,
    )


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output free of one line per request."""


@contextmanager
def serving(site: Path) -> Iterator[str]:
    """Serve ``site`` on a free loopback port; yield its base URL."""
    handler = functools.partial(QuietHandler, directory=str(site))
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


CACHE_OUTCOME = re.compile(r"cache (?P<cache>\w+)\s+(?P<queries>\d+) queries")


def a_miss_is_followed_by_a_cheaper_hit(told: str) -> bool:
    """Whether the requests a story or a notebook told (``sandbox.tell``'s lines) show,
    after their first miss, a hit that ran fewer queries; a story that shows no miss (a
    recipe that sets headers only) passes if it told any request."""
    outcomes = [
        (match["cache"], int(match["queries"]))
        for match in CACHE_OUTCOME.finditer(told)
    ]
    misses = [index for index, (cache, _) in enumerate(outcomes) if cache == "miss"]
    if not misses:
        return bool(outcomes)
    _, miss_queries = outcomes[misses[0]]
    return any(
        cache == "hit" and queries < miss_queries
        for cache, queries in outcomes[misses[0] + 1 :]
    )
