# From the DRF caching cookbook 0.8.2 (its CHANGELOG.md says what changed since).
# Supports Django 5.2 LTS (5.2.19+) on Python 3.11+, and Django 6 on Python 3.12+.
"""Put a shared cache (Varnish, Fastly, Cloudflare) in front of a DRF API: each response
tagged with what it read, purged once the writes that change it have committed.

How it works:

* The dependencies are the tracked recipe's (``tracked_cache.py``, copied beside this
  module): while a GET renders, every query and every instance loaded is recorded as
  fields of one table each (``#7`` a row, ``author_id=3@+`` the rows of an author,
  ``@title`` a column). A write reaches the same fields, after its transaction commits.
* A response for an anonymous caller is ``public`` with ``s-maxage``, and carries one
  surrogate key per field: a short digest of ``table field``, so that every format takes
  it. A request with a credential or any cookie gets ``private``: no shared cache keeps it.
* When the keys would not fit the format's header, the response carries one key per table
  instead, ``table @*``, which every write to the table reaches: the cache purges more,
  and never breaks on an oversized header.
* A committed transaction's fields are purged as keys, in requests chunked under the
  format's limits, and once more ``delay`` seconds later: a response rendered from the
  old rows before the commit, but stored after the first purge, is purged by the second.
* A purge that fails never fails the write: it is logged, and the write's marks stay in
  the tracked recipe's outbox (``outbox.py``), a row of the writer's own transaction, until
  a relay delivers them: the writing process retries, and so does the
  ``relay_invalidations`` command.

Requires the tracked recipe's ``install()``, given the ``Purger`` as a store.
"""

import hashlib
import json
import logging
import threading
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from django.utils.cache import patch_cache_control, patch_vary_headers
from rest_framework.request import Request
from rest_framework.response import Response

logger = logging.getLogger(__name__)

Dependencies = dict[
    str, set[str]
]  # table -> fields, as the tracked recipe collects them


# --8<-- [start:formats]
@dataclass(frozen=True)
class TagFormat:
    """How one shared cache reads surrogate keys, and the most it takes."""

    header: str  # the response header that carries the keys
    separator: str
    header_bytes: int  # the most the header's value may hold
    keys_per_purge: int  # the most keys one purge request may name


#: Varnish with vmod-xkey: a header line of at most 8 kB (``http_resp_hdr_len`` and
#: ``http_req_hdr_len``, for the response and the purge request).
XKEY = TagFormat("xkey", " ", 8_000, 600)
#: Fastly: at most 16 kB of ``Surrogate-Key``, and 256 keys per batch purge.
FASTLY = TagFormat("Surrogate-Key", " ", 16_384, 256)
#: Cloudflare: at most 16 kB of ``Cache-Tag``, and 100 tags per purge request.
CLOUDFLARE = TagFormat("Cache-Tag", ",", 16_384, 100)


def surrogate_key(table: str, field: str) -> str:
    """Return the key of one field of ``table``: 12 hex digits, in every format."""
    return hashlib.blake2b(f"{table} {field}".encode(), digest_size=6).hexdigest()


def response_keys(read: Dependencies, tag_format: TagFormat) -> list[str]:
    """Return the keys of what a response ``read``; one per table if they would not
    fit the header."""
    keys = sorted(
        {surrogate_key(table, field) for table, f in read.items() for field in lean(f)}
    )
    if fits(keys, tag_format):
        return keys
    return sorted(surrogate_key(table, "@*") for table in read)  # (1)!


def lean(fields: set[str]) -> set[str]:
    """Drop ``key=value@column`` where ``@column`` (every row) is there already: a
    write that reaches the first always reaches the second."""
    every_row = {field[1:] for field in fields if field.startswith("@")}
    return {f for f in fields if not ("=" in f and f.rpartition("@")[2] in every_row)}


def fits(keys: list[str], tag_format: TagFormat) -> bool:
    joined = tag_format.separator.join(keys)
    return len(joined.encode()) <= tag_format.header_bytes


def purge_keys(marks: Dependencies) -> list[str]:
    """Return the keys a committed write's ``marks`` purge."""
    return sorted(
        {surrogate_key(table, f) for table, fields in marks.items() for f in fields}
    )


def purge_chunks(keys: list[str], tag_format: TagFormat) -> Iterator[list[str]]:
    """Split ``keys`` into purge requests under the format's limits."""
    chunk: list[str] = []
    for key in keys:
        if len(chunk) == tag_format.keys_per_purge or not fits(
            [*chunk, key], tag_format
        ):
            yield chunk
            chunk = []
        chunk.append(key)
    if chunk:
        yield chunk


# --8<-- [end:formats]


# --8<-- [start:mixin]
class SharedCacheMixin:
    """Tag ``list`` and ``retrieve`` for a shared cache: public for anonymous callers,
    private for everyone else."""

    shared_cache: "SharedCache"

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._tagged(super().list, request, *args, **kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._tagged(super().retrieve, request, *args, **kwargs)

    def _tagged(
        self, view: Callable, request: Request, *args: Any, **kwargs: Any
    ) -> Response:
        with self.shared_cache.collect() as read:
            response = view(request, *args, **kwargs)
        if shareable(request, response):
            keys = response_keys(read, self.shared_cache.tag_format)
            response[self.shared_cache.tag_format.header] = (
                self.shared_cache.tag_format.separator.join(keys)
            )
            patch_cache_control(response, **self.shared_cache.directives())
        else:
            patch_cache_control(response, private=True, no_store=True)
        patch_vary_headers(response, ("Accept", "Authorization", "Cookie"))
        return response


def shareable(request: Request, response: Response) -> bool:
    """Whether one stored copy may answer every caller: a 200 to a GET that carried no
    credential and no cookie, and that sets none."""
    raw = request._request
    return (
        request.method in ("GET", "HEAD")
        and response.status_code == 200
        and not request.user.is_authenticated
        and not raw.META.get("HTTP_AUTHORIZATION")
        and not raw.META.get("HTTP_COOKIE")
        and not response.cookies
    )


# --8<-- [end:mixin]


# --8<-- [start:purger]
class Purger:
    """Purge committed writes' keys from a shared cache: chunked, then once more after
    ``delay`` seconds, never failing the write.

    Give it to the tracked recipe's ``install()``: its ``invalidate`` is called once per
    committed transaction, with the fields the transaction's writes reached. A purge that
    did not go says so, and the marks stay in the tracked recipe's outbox until a relay
    sends them again.
    """

    def __init__(
        self,
        send: Callable[[list[str]], None],
        tag_format: TagFormat,
        *,
        delay: float = 2.0,
    ) -> None:
        self.send, self.tag_format, self.delay = send, tag_format, delay
        self.lock = threading.Lock()
        self.later: list[threading.Timer] = []

    def invalidate(self, marks: Dependencies) -> bool:
        """Purge the keys of ``marks`` now and after ``delay``; return whether the
        first purge went."""
        keys = purge_keys(marks)
        if not keys:
            return True
        sent = self.purge(keys)
        if self.delay:  # (1)!
            self.after_delay(self.purge, keys)
        return sent

    def purge(self, keys: list[str]) -> bool:
        """Send ``keys`` in chunks; return whether every chunk went."""
        return all([self.sent(chunk) for chunk in purge_chunks(keys, self.tag_format)])

    def sent(self, chunk: list[str]) -> bool:
        try:
            self.send(chunk)
        except OSError:  # refused, timed out, or an HTTP error status
            logger.warning(
                "Could not purge %d keys from the shared cache; kept in the outbox",
                len(chunk),
                exc_info=True,
            )
            return False
        return True

    def after_delay(self, function: Callable, *args: Any) -> None:
        timer = threading.Timer(max(self.delay, 0.1), function, args)
        timer.daemon = True
        with self.lock:
            self.later = [t for t in self.later if t.is_alive()] + [timer]
        timer.start()

    def wait(self) -> None:
        """Wait until every delayed purge has been sent (tests, and shutdown)."""
        while True:
            with self.lock:
                pending = [t for t in self.later if t.is_alive()]
            if not pending:
                return
            for timer in pending:
                timer.join()


# --8<-- [end:purger]


# --8<-- [start:senders]
def varnish_purge(url: str, *, soft: bool = False, timeout: float = 2.0) -> Callable:
    """Return a sender of ``PURGE`` requests to Varnish at ``url`` (the VCL's
    ``xkey-purge`` header; ``xkey-softpurge`` keeps the objects for their grace)."""
    header = "xkey-softpurge" if soft else "xkey-purge"

    def send(keys: list[str]) -> None:
        request = urllib.request.Request(
            url, method="PURGE", headers={header: " ".join(keys)}
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()

    return send


def fastly_purge(
    service_id: str,
    api_token: str,
    *,
    soft: bool = False,
    api: str = "https://api.fastly.com",
    timeout: float = 5.0,
) -> Callable:
    """Return a sender of Fastly batch purges (``POST /service/{id}/purge``)."""
    headers = {"Fastly-Key": api_token, "Content-Type": "application/json"}
    if soft:
        headers["Fastly-Soft-Purge"] = "1"

    def send(keys: list[str]) -> None:
        body = json.dumps({"surrogate_keys": keys}).encode()
        post(f"{api}/service/{service_id}/purge", body, headers, timeout)

    return send


def cloudflare_purge(
    zone_id: str,
    api_token: str,
    *,
    api: str = "https://api.cloudflare.com/client/v4",
    timeout: float = 5.0,
) -> Callable:
    """Return a sender of Cloudflare purges by tag (``POST /zones/{id}/purge_cache``)."""
    headers = {
        "Authorization": f"Bearer {api_token}",
        "Content-Type": "application/json",
    }

    def send(keys: list[str]) -> None:
        body = json.dumps({"tags": keys}).encode()
        post(f"{api}/zones/{zone_id}/purge_cache", body, headers, timeout)

    return send


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> None:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        response.read()


# --8<-- [end:senders]


@dataclass(frozen=True)
class SharedCache:
    """What a ViewSet's responses need to be tagged: the collector of what they read
    (the tracked recipe's ``collect``), the format, and how long shared caches keep
    them."""

    collect: Callable[[], AbstractContextManager[Dependencies]]
    tag_format: TagFormat = XKEY
    max_age: int = 300
    # How long a shared cache may serve a page past its age, or soft-purged, while it
    # fetches the new one (``stale-while-revalidate``; Varnish's grace).
    grace: int = 0

    def directives(self) -> dict[str, Any]:
        """Return the ``Cache-Control`` of a shareable page: shared caches only."""
        grace = {"stale_while_revalidate": self.grace} if self.grace else {}
        return {"public": True, "max_age": 0, "s_maxage": self.max_age, **grace}


def keys_of(header: str, tag_format: TagFormat) -> Iterable[str]:
    """Split a response's tag header into its keys (what a shared cache reads)."""
    return [key for key in header.split(tag_format.separator) if key]
