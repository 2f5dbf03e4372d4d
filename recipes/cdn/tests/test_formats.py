"""Keys under every format's limits, and the purge requests Fastly and Cloudflare get,
checked against their documented APIs by a local server."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from recipes.cdn.shared_cache import (
    CLOUDFLARE,
    FASTLY,
    XKEY,
    cloudflare_purge,
    fastly_purge,
    purge_chunks,
    response_keys,
    surrogate_key,
)

FORMATS = [XKEY, FASTLY, CLOUDFLARE]


def two_thousand_books() -> dict[str, set[str]]:
    """What a page naming 2,000 books and their authors read."""
    return {
        "bookshop_book": {"*", "+", "@+", *(f"#{n}" for n in range(2_000))},
        "bookshop_author": {"*", *(f"#{n}" for n in range(500))},
    }


# --8<-- [start:limits]
@pytest.mark.parametrize("tag_format", FORMATS, ids=lambda f: f.header)
def test_a_page_naming_2000_objects_falls_back_to_one_key_per_table(tag_format):
    read = two_thousand_books()
    keys = response_keys(read, tag_format)
    assert keys == sorted(surrogate_key(table, "@*") for table in read)
    assert len(tag_format.separator.join(keys)) <= tag_format.header_bytes


@pytest.mark.parametrize("tag_format", FORMATS, ids=lambda f: f.header)
def test_purges_are_chunked_under_the_format_s_limits(tag_format):
    keys = [surrogate_key("bookshop_book", f"#{n}") for n in range(2_000)]
    chunks = list(purge_chunks(keys, tag_format))
    assert [key for chunk in chunks for key in chunk] == keys
    for chunk in chunks:
        assert len(chunk) <= tag_format.keys_per_purge
        assert len(tag_format.separator.join(chunk)) <= tag_format.header_bytes


# --8<-- [end:limits]


def test_a_key_is_the_same_from_the_page_and_from_the_write():
    assert surrogate_key("bookshop_book", "#7") == surrogate_key("bookshop_book", "#7")
    assert surrogate_key("bookshop_book", "#7") != surrogate_key("bookshop_book", "#8")


def test_every_row_s_key_makes_a_key_value_s_key_redundant():
    read = {"bookshop_book": {"*", "@title", "author_id=3@title", "author_id=3@+"}}
    expected = {"*", "@title", "author_id=3@+"}
    assert set(response_keys(read, XKEY)) == {
        surrogate_key("bookshop_book", field) for field in expected
    }


class Recorded(BaseHTTPRequestHandler):
    """Record each request: method, path, headers, body; answer 200 with JSON."""

    requests: list[dict] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        self.requests.append(
            {
                "method": "POST",
                "path": self.path,
                "headers": dict(self.headers),
                "body": json.loads(self.rfile.read(length)),
            }
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"success": true}')

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def api() -> Iterator[tuple[str, list[dict]]]:
    """A local server standing in for a CDN's API; yields its URL and what it got."""
    Recorded.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorded)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", Recorded.requests
    server.shutdown()
    thread.join()
    server.server_close()


# --8<-- [start:apis]
def test_fastly_gets_a_batch_purge_by_surrogate_key(api):
    url, got = api
    fastly_purge("SERVICE", "TOKEN", soft=True, api=url)(["k1", "k2"])
    [request] = got
    assert request["path"] == "/service/SERVICE/purge"
    assert request["headers"]["Fastly-Key"] == "TOKEN"
    assert request["headers"]["Fastly-Soft-Purge"] == "1"
    assert request["body"] == {"surrogate_keys": ["k1", "k2"]}


def test_cloudflare_gets_a_purge_by_cache_tag(api):
    url, got = api
    cloudflare_purge("ZONE", "TOKEN", api=url)(["k1", "k2"])
    [request] = got
    assert request["path"] == "/zones/ZONE/purge_cache"
    assert request["headers"]["Authorization"] == "Bearer TOKEN"
    assert request["body"] == {"tags": ["k1", "k2"]}


# --8<-- [end:apis]
