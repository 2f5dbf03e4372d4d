# From the DRF caching cookbook 0.8.2 (its CHANGELOG.md says what changed since).
# Supports Django 5.2 LTS (5.2.19+) on Python 3.11+, and Django 6 on Python 3.12+.
"""Warm the cache after a deploy or a flush, through the same code path as a request.

How the warming works:

* What is warmed: the responses that callers share, the anonymous ones (the first pages
  of the lists, the most-read details), named by path. Entries per user are left to their
  users: warming them would need their credentials, for entries most would never read.
* Each path is requested through Django's own handler, in this process
  (``django.test.Client``: every middleware, DRF's authentication and content
  negotiation), with the host, scheme and ``Accept`` that real clients send: those are
  part of every cache key, so the entries written are the ones requests look up.
* What each request did is read from its ``Server-Timing`` cache outcome. A ``miss``,
  confirmed by a ``hit`` on a second request, is an entry written; a ``hit`` is an entry
  that was already there (skipped: warming twice writes nothing new); anything else (an
  error status, ``bypass``, a miss that stays a miss) failed, and says why.
* Before anything is requested, a probe entry is written and read back. When the cache
  cannot keep it (Redis down, full under ``noeviction``), the run stops with that reason:
  a cache that fails open would answer every request, and keep none of them.
* ``concurrency`` paths are requested at a time, each thread with its own database
  connection, closed when it is done.
* ``refresh_on_commit(paths)``, called from a write, requests those paths again once the
  write commits, so the next reader finds a fresh entry instead of a miss. The writer's
  response waits for it: use it for the few pages read far more often than written.

``Command`` is the management command (``manage.py warm_cache``): a progress bar (rich),
``--dry-run`` to list what it would warm, ``--concurrency``, and a report of entries
written, skipped and failed, and the time taken; it exits 1 when anything failed.
"""

import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections, transaction
from django.test import Client
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

OUTCOME = "cache;desc="


# --8<-- [start:warm]
# --8<-- [start:core]
@dataclass(frozen=True)
class Target:
    """One response to warm: a path, as a client on ``host`` asks for it."""

    path: str
    host: str = "localhost"
    secure: bool = False
    accept: str = "application/json"

    def request(self) -> Any:
        client = Client()  # (1)!
        return client.get(
            self.path, HTTP_HOST=self.host, HTTP_ACCEPT=self.accept, secure=self.secure
        )


def warm_one(target: Target) -> tuple[str, str]:
    """Return ``(written | skipped | failed, why)`` for one target."""
    first = target.request()
    if first.status_code != 200:
        return "failed", f"status {first.status_code}"
    if outcome(first) == "hit":
        return "skipped", "already cached"
    again = outcome(target.request())
    if again != "hit":  # (2)!
        return "failed", f"not stored (the next request was a {again})"
    return "written", ""


# --8<-- [end:core]


@dataclass
class Report:
    """What a warming run did: entries written, skipped, failed (with why), and time."""

    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0


def warm(
    targets: Iterable[Target],
    *,
    concurrency: int = 4,
    alias: str = "default",
    progress: Callable[[Target], None] = lambda target: None,
) -> Report:
    """Request each target until its entry is stored; say what happened to each."""
    targets = list(targets)
    refuse_if_the_cache_cannot_keep_entries(alias)
    started = time.perf_counter()
    report = Report()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = (
            map(warm_one, targets)  # (3)!
            if concurrency == 1
            else pool.map(partial(in_own_thread, warm_one), targets)
        )
        for target, (state, reason) in zip(targets, results, strict=True):
            if state == "written":
                report.written.append(target.path)
            elif state == "skipped":
                report.skipped.append(target.path)
            else:
                report.failed.append((target.path, reason))
            progress(target)
    report.seconds = time.perf_counter() - started
    return report


def in_own_thread(work: Callable[[Target], tuple[str, str]], target: Target) -> Any:
    """Run ``work`` in a pool's thread, and close the database connections it opened."""
    try:
        return work(target)
    finally:
        connections.close_all()


def outcome(response: Any) -> str:
    """Return the cache outcome a response announces in ``Server-Timing``."""
    timing = response.get("Server-Timing", "")
    start = timing.find(OUTCOME)
    if start < 0:
        return "bypass"
    return timing[start + len(OUTCOME) :].split(",")[0].split(";")[0].strip('" ')


def refuse_if_the_cache_cannot_keep_entries(alias: str) -> None:
    """Write a probe entry and read it back; raise ``CommandError`` if it is not kept."""
    cache, probe = caches[alias], f"cache-warming-probe:{uuid.uuid4().hex}"
    store = getattr(cache, "client", cache)  # (4)!
    try:
        store.set(probe, "kept", timeout=30)
        kept = store.get(probe) == "kept"
        store.delete(probe)
    except Exception as error:  # the cache's own error, whatever the backend
        raise CommandError(
            f"the cache {alias!r} cannot keep entries: {error}"
        ) from None
    if not kept:
        raise CommandError(
            f"the cache {alias!r} did not keep a probe entry (a dummy cache, or one "
            "that fails open?): nothing was warmed"
        )


# --8<-- [end:warm]


# --8<-- [start:refresh]
def refresh_on_commit(paths: Iterable[str], **target: Any) -> None:
    """Once the current transaction commits, request ``paths`` again, so that the next
    reader finds their fresh entries. Call it after the write's own invalidation."""
    targets = [Target(path, **target) for path in paths]
    transaction.on_commit(partial(refresh, targets))


def refresh(targets: list[Target]) -> None:
    for target in targets:
        target.request()  # (1)!


# --8<-- [end:refresh]


# --8<-- [start:command]
class Command(BaseCommand):
    help = "Warm the cache: request each shared page once, as a client would."

    def add_arguments(self, parser: CommandParser) -> None:
        configured = getattr(settings, "CACHE_WARMING", {})
        parser.add_argument(
            "paths", nargs="*", default=configured.get("PATHS", []), help="to warm"
        )
        parser.add_argument("--host", default=configured.get("HOST", "localhost"))
        parser.add_argument("--https", action="store_true", help="as https clients")
        parser.add_argument("--accept", default="application/json")
        parser.add_argument("--concurrency", type=int, default=4)
        parser.add_argument("--dry-run", action="store_true", help="list, do not warm")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["concurrency"] < 1:
            raise CommandError("--concurrency must be 1 or more")
        targets = [
            Target(path, options["host"], options["https"], options["accept"])
            for path in options["paths"]
        ]
        if not targets:
            raise CommandError("no paths: name them, or set CACHE_WARMING['PATHS']")
        console = Console(file=self.stdout, width=70)
        if options["dry_run"]:
            console.print(targets_table(targets))
            return
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("warming", total=len(targets))
            report = warm(
                targets,
                concurrency=options["concurrency"],
                progress=lambda target: bar.advance(task),
            )
        console.print(report_table(report, every_path=options["verbosity"] > 1))
        if report.failed:
            raise CommandError(f"{len(report.failed)} of {len(targets)} paths failed")


def targets_table(targets: list[Target]) -> Table:
    table = Table("would request", "accept", title="dry run: nothing requested")
    for target in targets:
        scheme = "https" if target.secure else "http"
        table.add_row(f"{scheme}://{target.host}{target.path}", target.accept)
    return table


def report_table(report: Report, *, every_path: bool) -> Table:
    """Count what was written, skipped and failed; name the failed paths and why (and,
    with ``--verbosity 2``, every path)."""
    table = Table(
        "entries", "count", "paths", title=f"warmed in {report.seconds:.2f} s"
    )
    shown = (lambda paths: "\n".join(paths)) if every_path else (lambda paths: "")
    table.add_row("written", str(len(report.written)), shown(report.written))
    table.add_row("skipped", str(len(report.skipped)), shown(report.skipped))
    failed = "\n".join(f"{path}: {why}" for path, why in report.failed)
    table.add_row("failed", str(len(report.failed)), failed)
    return table


# --8<-- [end:command]
