"""Mixed traffic against a real server: throughput next to the floor's, hits, stale reads.

``python -m harness.bench workload`` serves the demo with the ``bench`` data under gunicorn
(``harness/bench_settings.py``: the recipes and the benchmark's references) on a private
``redis-server``, and sends each target the same traffic from several client threads, each
a different caller. Reads pick list pages and book details from a Zipf distribution (a few
are most of the traffic, as on a real site); a few percent of requests are writes (a book's
title, by token). It reports requests per second relative to the floor's under the same
client, the share of reads each target answered from its cache, and, once every write is
acknowledged, how many reads of the most-read URLs still differ from the uncached API.

Client and server share the machine, so a fast target is also limited by the client: the
ratios say how close a recipe comes to the floor under the same load, not a server's
capacity.
"""

import random
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .redis_server import free_port, start_redis_server
from .traffic import SERVER_TIMING_CACHE, Caller, LiveServer, live_server

CLIENT_KINDS = ("anonymous", "alice-token", "bob-token", "alice-session")
LIST_PAGES = 20  # of the bench data's 100
BOOKS = 400  # the details that can be drawn, of 5,000
ZIPF_EXPONENT = 1.1
WRITE_SHARE = 0.03
FLOOR_PATH = "/bench/floor/anonymous.list/"


@dataclass(frozen=True)
class Target:
    label: str
    prefix: str  # where its books are served; "" for the floor


TARGETS = [
    Target("floor", ""),
    Target("no cache", "/api/uncached/"),
    Target("drf-extensions (per-user key)", "/bench/drf-extensions/"),
    Target("cache-page", "/api/cache-page/"),
    Target("middleware", "/api/middleware/"),
    Target("manual-keys", "/api/manual-keys/"),
    Target("versioning", "/api/versioning/"),
    Target("signals", "/api/signals/"),
    Target("stampede (signals, guarded)", "/api/stampede/"),
]


def zipf_paths(seed: int) -> tuple[list[str], list[float]]:
    """Return the paths a reader draws from, most read first, and their weights."""
    paths = [f"books/?page={n}" for n in range(1, LIST_PAGES + 1)]
    paths += [f"books/{n}/" for n in range(1, BOOKS + 1)]
    random.Random(seed).shuffle(paths)
    weights = [1 / rank**ZIPF_EXPONENT for rank in range(1, len(paths) + 1)]
    return paths, weights


@dataclass
class Run:
    target: Target
    requests: int = 0
    seconds: float = 0.0
    outcomes: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    stale: int | None = None

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def hit_ratio(self) -> float | None:
        answered = sum(self.outcomes[o] for o in ("hit", "stale", "waited", "miss"))
        served = sum(self.outcomes[o] for o in ("hit", "stale", "waited"))
        return served / answered if answered else None


def send_traffic(server: LiveServer, run: Run, *, clients: int, each: int) -> None:
    """Send ``each`` requests from each of ``clients`` threads; add to ``run``."""
    paths, weights = zipf_paths(seed=2026)
    lock = threading.Lock()
    callers = [
        Caller(server, CLIENT_KINDS[n % len(CLIENT_KINDS)]) for n in range(clients)
    ]
    writers = [Caller(server, "alice-token") for _ in range(clients)]
    together = threading.Barrier(clients + 1)

    def client(number: int) -> None:
        draw = random.Random(number)
        reader, writer = callers[number], writers[number]
        together.wait(timeout=60)
        for n in range(each):
            path = draw.choices(paths, weights)[0]
            if not run.target.prefix:
                response = reader.get(FLOOR_PATH)
            elif draw.random() < WRITE_SHARE:
                book = path.split("/")[1] if path.count("/") == 2 else "1"
                response = writer.send(
                    "patch", f"{run.target.prefix}books/{book}/", {"title": f"W{n}"}
                )
            else:
                response = reader.get(run.target.prefix + path)
            found = SERVER_TIMING_CACHE.search(
                response.headers.get("Server-Timing", "")
            )
            with lock:
                run.requests += 1
                run.outcomes[found[1] if found else "none"] += 1
                if response.status_code >= 300:
                    run.errors.append(f"{response.status_code} {response.url}")

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    together.wait(timeout=60)
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    run.seconds += time.perf_counter() - started


def count_stale(server: LiveServer, target: Target, most_read: int = 10) -> int:
    """Read the most-read URLs as every caller; count answers that differ from what the
    uncached API answers now (its links rewritten to the target's)."""
    paths, _ = zipf_paths(seed=2026)
    stale = 0
    for kind in CLIENT_KINDS:
        caller = Caller(server, kind)
        for path in paths[:most_read]:
            fresh = caller.get(f"/api/uncached/{path}").text
            served = caller.get(target.prefix + path).text
            stale += served != fresh.replace("/api/uncached/", target.prefix)
    return stale


def measure_workload(
    server: LiveServer, *, clients: int, each: int, rounds: int
) -> list[Run]:
    """Run every target ``rounds`` times, in alternating order, then check staleness."""
    runs = {target.label: Run(target) for target in TARGETS}
    for round_number in range(rounds):
        order = TARGETS if round_number % 2 == 0 else TARGETS[::-1]
        for target in order:
            send_traffic(server, runs[target.label], clients=clients, each=each)
    for run in runs.values():
        if run.target.label not in ("floor", "no cache"):
            run.stale = count_stale(server, run.target)
    return list(runs.values())


def table(runs: list[Run]) -> str:
    floor = next(run for run in runs if run.target.label == "floor")
    lines = [
        "| Target | Requests per second | Of the floor's | Reads from the cache "
        "| Stale reads after the writes | Errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in runs:
        ratio = run.hit_ratio
        lines.append(
            f"| {run.target.label} | {run.per_second:,.0f} "
            f"| {run.per_second / floor.per_second:.0%} "
            f"| {'' if ratio is None else f'{ratio:.0%}'} "
            f"| {'' if run.stale is None else run.stale} "
            f"| {len(run.errors)} |"
        )
    return "\n".join(lines)


def store_floor_body(server: LiveServer, redis_port: int) -> None:
    """Put the anonymous list page's bytes where the floor view reads them."""
    import redis

    body = Caller(server, "anonymous").get("/api/uncached/books/").content
    redis.Redis(port=redis_port).set("bench:floor:anonymous.list", body)


def run_workload(size: str, clients: int = 8, each: int = 60, rounds: int = 2) -> str:
    port = free_port()
    with tempfile.TemporaryDirectory() as workdir:
        redis_server = start_redis_server(port, Path(workdir))
        try:
            with live_server(
                Path(workdir),
                f"redis://127.0.0.1:{port}/0",
                settings="harness.bench_settings",
                size=size,
            ) as server:
                store_floor_body(server, port)
                runs = measure_workload(
                    server, clients=clients, each=each, rounds=rounds
                )
        finally:
            redis_server.kill()
            redis_server.wait(timeout=10)
    return table(runs)
