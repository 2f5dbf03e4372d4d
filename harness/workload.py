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
import statistics
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import requests

from .redis_server import free_port, start_redis_server
from .traffic import SERVER_TIMING_CACHE, Caller, LiveServer, live_server, uncached_as

CLIENT_KINDS = ("anonymous", "alice-token", "bob-token", "alice-session")
LIST_PAGES = 20  # at most: the bench data has 100, of 50 books each
BOOKS = 400  # at most: the details that can be drawn (the bench data has 5,000)
ZIPF_EXPONENT = 1.1
WRITE_SHARE = 0.03
FLOOR_PATH = "/bench/floor/anonymous.list/"


@dataclass(frozen=True)
class Target:
    label: str
    prefix: str  # where its books are served; "" for the floor
    hits_only: bool = False  # one page, no writes: after the first request, all hits


TARGETS = [
    Target("floor", ""),
    Target("floor (A/A)", ""),  # the same again: how far two identical runs differ
    Target("no cache", "/api/uncached/"),
    Target(
        "drf-extensions (per-user key, cached authentication)",
        "/bench/drf-extensions-cached-auth/",
    ),
    Target("cache-page", "/api/cache-page/"),
    Target("middleware", "/api/middleware/"),
    Target("manual-keys", "/api/manual-keys/"),
    Target("versioning", "/api/versioning/"),
    Target("signals", "/api/signals/"),
    Target("tracked", "/api/tracked/"),
    Target("stampede (signals, guarded)", "/api/stampede/"),
    Target(
        "drf-extensions, hits only",
        "/bench/drf-extensions-cached-auth/",
        hits_only=True,
    ),
    Target("cache-page, hits only", "/api/cache-page/", hits_only=True),
    Target("middleware, hits only", "/api/middleware/", hits_only=True),
    Target("versioning, hits only", "/api/versioning/", hits_only=True),
    Target("tracked, hits only", "/api/tracked/", hits_only=True),
]
HITS_TARGET = 0.8  # of the floor's requests per second, for the best hits-only target
TRACKED_TARGET = 0.9  # of middleware's reads from the cache and requests per second
#: The recipes whose entries a write ends, and what the best of them must reach: times
#: the uncached API's requests per second, under the same traffic, writes included.
INVALIDATING = ("manual-keys", "versioning", "signals", "tracked", "stampede")
INVALIDATING_TARGET = 2.5


@dataclass(frozen=True)
class Reads:
    """The paths a reader draws from, most read first, and their Zipf weights."""

    paths: list[str]
    weights: list[float]

    @classmethod
    def over(cls, server: LiveServer, seed: int = 2026) -> "Reads":
        """Draw from the books the server has (the list page says how many)."""
        first_page = Caller(server, "anonymous").get("/api/uncached/books/").json()
        books = first_page["count"]
        paths = [f"books/?page={n}" for n in range(1, min(LIST_PAGES, books // 50) + 1)]
        paths += [f"books/{n}/" for n in range(1, min(BOOKS, books) + 1)]
        random.Random(seed).shuffle(paths)
        ranks = range(1, len(paths) + 1)
        return cls(paths, [1 / rank**ZIPF_EXPONENT for rank in ranks])


@dataclass
class Run:
    target: Target
    requests: int = 0
    outcomes: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    stale: int | None = None
    rates: list[float] = field(default_factory=list)  # requests per second, per round

    @property
    def per_second(self) -> float:
        """The median round's rate: a round that another process on the machine slowed
        moves it less than it moves the rate of all rounds pooled."""
        return statistics.median(self.rates) if self.rates else 0.0

    @property
    def served(self) -> int:
        """How many requests the cache answered."""
        return sum(self.outcomes[o] for o in ("hit", "stale", "waited"))

    @property
    def hit_ratio(self) -> float | None:
        answered = self.served + self.outcomes["miss"]
        return self.served / answered if answered else None


def server_timing_outcome(response: requests.Response) -> str:
    """Return the cache outcome a response announces in ``Server-Timing``."""
    found = SERVER_TIMING_CACHE.search(response.headers.get("Server-Timing", ""))
    return found[1] if found else "none"


def send_traffic(
    server: LiveServer,
    run: Run,
    reads: Reads,
    *,
    clients: int,
    each: int,
    label: str,
    kinds: tuple[str, ...] = CLIENT_KINDS,
    outcome: Callable[[requests.Response], str] = server_timing_outcome,
) -> None:
    """Send ``each`` requests from each of ``clients`` threads, callers of ``kinds`` in
    turn; add to ``run`` what each response's ``outcome`` was.

    Every client draws the same sequence each time; ``label`` makes the titles it writes
    new, so that every write changes what readers must see.
    """
    lock = threading.Lock()
    callers = [Caller(server, kinds[n % len(kinds)]) for n in range(clients)]
    writers = [Caller(server, "alice-token") for _ in range(clients)]

    def one_request(draw: random.Random, number: int, n: int) -> requests.Response:
        reader, writer = callers[number], writers[number]
        path = draw.choices(reads.paths, reads.weights)[0]
        if not run.target.prefix:
            return reader.get(FLOOR_PATH)
        if run.target.hits_only:
            return reader.get(f"{run.target.prefix}books/")
        if draw.random() < WRITE_SHARE:
            book = path.split("/")[1] if path.count("/") == 2 else "1"
            return writer.send(
                "patch",
                f"{run.target.prefix}books/{book}/",
                {"title": f"{label} {number}.{n}"},
            )
        return reader.get(run.target.prefix + path)

    def client(number: int) -> None:
        """Send this client's requests; a request that fails on the way counts as an
        error in the table, rather than ending the client's thread unseen."""
        draw = random.Random(number)
        for n in range(each):
            try:
                response = one_request(draw, number, n)
            except requests.RequestException as failed:
                with lock:
                    run.errors.append(f"{type(failed).__name__}: {failed}")
                continue
            answered = outcome(response)
            with lock:
                run.requests += 1
                run.outcomes[answered] += 1
                if response.status_code >= 300:
                    run.errors.append(f"{response.status_code} {response.url}")

    before = run.requests
    seconds = seconds_together([partial(client, n) for n in range(clients)])
    run.rates.append((run.requests - before) / seconds)


def seconds_together(clients: list[Callable[[], None]]) -> float:
    """Run each client in a thread of its own, all released at once (once every thread
    has started); return the seconds from their release until the last one ends."""
    together = threading.Barrier(len(clients) + 1)

    def released(client: Callable[[], None]) -> None:
        together.wait(timeout=60)
        client()

    threads = [threading.Thread(target=released, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    together.wait(timeout=60)
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def count_stale(
    server: LiveServer, target: Target, reads: Reads, most_read: int = 10
) -> int:
    """Read the most-read URLs as every caller; count answers that differ from what the
    uncached API answers now (its links rewritten to the target's)."""
    stale = 0
    for kind in CLIENT_KINDS:
        caller = Caller(server, kind)
        for path in reads.paths[:most_read]:
            fresh = uncached_as(caller, target.prefix + path, target.prefix)
            stale += caller.get(target.prefix + path).text != fresh.text
    return stale


def measure_workload(
    server: LiveServer,
    start_cold: Callable[[], None],
    reads: Reads,
    *,
    clients: int,
    each: int,
    rounds: int,
) -> list[Run]:
    """Run every target ``rounds`` times, in alternating order, each from a cold cache.

    Staleness is checked right after a target's last run, before any other target writes:
    a recipe is answerable for the writes that go through its own API (the signals family
    sees every ORM write, but the others do not claim to).
    """
    runs = {target.label: Run(target) for target in TARGETS}
    for round_number in range(rounds):
        order = TARGETS if round_number % 2 == 0 else TARGETS[::-1]
        for target in order:
            start_cold()
            run = runs[target.label]
            label = f"{target.label} {round_number}"
            send_traffic(server, run, reads, clients=clients, each=each, label=label)
            last = round_number == rounds - 1
            if (
                last
                and target.prefix not in ("", "/api/uncached/")
                and not target.hits_only
            ):
                run.stale = count_stale(server, target, reads)
    return list(runs.values())


def table(runs: list[Run]) -> str:
    floor = named(runs, "floor")
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
    lines.append(noise(runs))
    best = fastest_hits_only(runs)
    share = best.per_second / floor.per_second
    lines.append(
        f"\nThe best hits-only target, {best.target.label}, reached {share:.1%} of the "
        f"floor's requests per second: the target is at least {HITS_TARGET:.0%} "
        f"({'met' if share >= HITS_TARGET else '**not met**'})."
    )
    lines.append(best_invalidating(runs))
    lines.append(tracked_against_middleware(runs))
    return "\n".join(lines)


def named(runs: list[Run], label: str) -> Run:
    return next(run for run in runs if run.target.label == label)


def noise(runs: list[Run]) -> str:
    """Say how far the floor's two identical runs came apart, so that a difference
    between two targets can be read against it."""
    floor, again = named(runs, "floor"), named(runs, "floor (A/A)")
    apart = abs(floor.per_second - again.per_second) / floor.per_second
    spread = min(floor.rates) / max(floor.rates)
    return (
        f"\nEach rate is the median of the rounds' rates. A/A noise: the floor's two "
        f"identical runs came {apart:.1%} apart; its slowest round ran at {spread:.0%} "
        f"of its fastest."
    )


def fastest_hits_only(runs: list[Run]) -> Run:
    return max(
        (run for run in runs if run.target.hits_only), key=lambda r: r.per_second
    )


def ceiling(share: float, hit_cost: float) -> float:
    """The most times the uncached rate a run can reach with ``share`` of its requests
    answered from its cache at ``hit_cost`` of an uncached request's time each, and the
    others at an uncached request's time."""
    return 1 / (1 - share + share * hit_cost)


def invalidates(target: Target) -> bool:
    """Whether writes go to ``target`` as well as reads, and it ends entries for them."""
    return target.label.startswith(INVALIDATING) and not target.hits_only


def best_invalidating(runs: list[Run]) -> str:
    """Say how the fastest recipe whose entries writes end compares with no cache."""
    uncached = named(runs, "no cache")
    best = max(
        (run for run in runs if invalidates(run.target)),
        key=lambda run: run.per_second,
    )
    times = best.per_second / uncached.per_second
    met = "met" if times >= INVALIDATING_TARGET else "**not met**"
    fastest = fastest_hits_only(runs)
    hit_cost = uncached.per_second / fastest.per_second  # of an uncached request
    share = best.served / best.requests
    bound, priced = ceiling(share, 0), ceiling(share, hit_cost)
    return (
        f"\nThe fastest recipe whose entries writes end, {best.target.label}, answered "
        f"{times:.2f} times the uncached API's requests per second: the target is at "
        f"least {INVALIDATING_TARGET} times ({met}). It answered {best.served:,} of its "
        f"{best.requests:,} requests from its cache; if each of those had cost nothing "
        f"and each other request what an uncached one costs, it could have reached "
        f"{bound:.2f} times. If each had cost what a request of the fastest hits-only "
        f"run did ({fastest.target.label}: {hit_cost:.0%} of an uncached one's time), "
        f"it could have reached {priced:.2f} times."
    )


def tracked_against_middleware(runs: list[Run]) -> str:
    """Say how the tracked recipe, which invalidates, compares with the middleware's
    entries, which are never invalidated and only expire."""
    tracked, middleware = named(runs, "tracked"), named(runs, "middleware")
    hits = (tracked.hit_ratio or 0) / (middleware.hit_ratio or 1)
    speed = tracked.per_second / middleware.per_second

    def verdict(share: float) -> str:
        return "met" if share >= TRACKED_TARGET else "**not met**"

    return (
        f"\nTracked answered {hits:.1%} as many reads from its cache as the middleware "
        f"(the target is at least {TRACKED_TARGET:.0%}: {verdict(hits)}), at "
        f"{speed:.1%} of its requests per second ({verdict(speed)}), with "
        f"{tracked.stale} stale reads after the writes against the middleware's "
        f"{middleware.stale}."
    )


def cold_start(server: LiveServer, redis_port: int) -> Callable[[], None]:
    """Return a function that empties Redis, but for the floor's page (its bytes: the
    anonymous list page, where the floor view reads them)."""
    import redis

    client = redis.Redis(port=redis_port)
    body = Caller(server, "anonymous").get("/api/uncached/books/").content

    def start_cold() -> None:
        client.flushdb()
        client.set("bench:floor:anonymous.list", body)

    return start_cold


def run_workload(size: str, clients: int = 8, each: int = 150, rounds: int = 2) -> str:
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
                runs = measure_workload(
                    server,
                    cold_start(server, port),
                    Reads.over(server),
                    clients=clients,
                    each=each,
                    rounds=rounds,
                )
        finally:
            redis_server.kill()
            redis_server.wait(timeout=10)
    return table(runs)
