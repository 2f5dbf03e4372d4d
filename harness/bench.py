"""The benchmark harness: every number on the site comes from here.

``python -m harness.bench serializer-fields`` seeds an in-memory bookshop (the
``bench`` size by default), requests each variant of a page many times in one run, and prints
a Markdown table: queries, cache round trips and median time per request, and the time
relative to the uncached page measured in the same run (absolute times depend on the
machine; ratios measured together are what to compare). ``--write PATH`` saves the table for
the docs, with the command that produced it.
"""

import argparse
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recipes.bookshop import sandbox
from recipes.bookshop.measuring import SCENARIOS, measure, table

STORAGE_SCENARIO = "redis-config"
HITS_SCENARIO = "hits"
WORKLOAD_SCENARIO = "workload"
MONITORING_SCENARIO = "monitoring"
MEMORY_SCENARIO = "memory"
SCALE_OUT_SCENARIO = "scale-out"
SHARED_CACHE_SCENARIO = "shared-cache"
CACHE_CHECK_SCENARIO = "cache-check"
ASGI_SCENARIO = "asgi"


@dataclass(frozen=True)
class StorageRow:
    serializer: str
    compressor: str
    value_bytes: int
    bytes: int
    set_us: float
    get_us: float


def measure_storage(url: str, payload: Any, repeat: int) -> list[StorageRow]:
    """Store ``payload`` with every serializer and compressor on the Redis at ``url``."""
    from django.core.cache import caches
    from django.test import override_settings
    from django_redis import get_redis_connection

    from recipes.redis_config.redis_cache import (
        COMPRESSORS,
        SERIALIZERS,
        django_redis_cache,
        memory_usage,
    )

    rows = []
    for serializer in SERIALIZERS:
        for compressor in COMPRESSORS:
            config = django_redis_cache(
                url, serializer=serializer, compressor=compressor
            )
            with override_settings(CACHES={"default": config}):
                cache = caches["default"]
                set_times, get_times = [], []
                for _ in range(repeat):
                    started = time.perf_counter()
                    cache.set("payload", payload, 60)
                    set_times.append(time.perf_counter() - started)
                    started = time.perf_counter()
                    cache.get("payload")
                    get_times.append(time.perf_counter() - started)
                rows.append(
                    StorageRow(
                        serializer,
                        compressor,
                        get_redis_connection("default").strlen(
                            cache.make_key("payload")
                        ),
                        memory_usage("default", "payload") or 0,
                        statistics.median(set_times) * 1e6,
                        statistics.median(get_times) * 1e6,
                    )
                )
    return rows


def storage_table(rows: list[StorageRow]) -> str:
    """Return ``rows`` as a Markdown table, bytes and times relative to pickle alone."""
    base = next(r for r in rows if (r.serializer, r.compressor) == ("pickle", "none"))
    lines = [
        "| Serializer | Compressor | Value bytes | `MEMORY USAGE` | Relative size | Set | Get |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {r.serializer} | {r.compressor} | {r.value_bytes:,} | {r.bytes:,} "
        f"| {r.value_bytes / base.value_bytes:.2f}x "
        f"| {r.set_us:.0f} µs | {r.get_us:.0f} µs |"
        for r in rows
    ]
    return "\n".join(lines)


def run_storage(size: str, repeat: int) -> str:
    """Measure the bookshop's list page in every storage format, on a private redis-server."""
    import json
    import tempfile

    from .redis_server import free_port, start_redis_server

    sandbox.start(size)
    page = json.loads(sandbox.client("anonymous").get("/api/uncached/books/").content)
    port = free_port()
    with tempfile.TemporaryDirectory() as workdir:
        server = start_redis_server(port, Path(workdir))
        try:
            rows = measure_storage(f"redis://127.0.0.1:{port}/0", page, repeat)
        finally:
            server.kill()
            server.wait(timeout=10)
    return storage_table(rows)


@dataclass(frozen=True)
class Burst:
    label: str
    path: str
    after_a_write: bool = False


STAMPEDE_SCENARIO = "stampede"
BURSTS = [
    Burst("signals, unguarded: cold entry", "/api/signals/books/?burst={n}"),
    Burst("stampede (signals, guarded): cold entry", "/api/stampede/books/?burst={n}"),
    Burst("signals, unguarded: after a write", "/api/signals/books/", True),
    Burst("stampede (signals, guarded): after a write", "/api/stampede/books/", True),
    Burst("middleware, unguarded: cold entry", "/api/middleware/books/?burst={n}"),
    Burst(
        "stampede (middleware, guarded): cold entry",
        "/api/stampede/rendered-books/?burst={n}",
    ),
]
COMPUTED = {"miss", "refresh", "late"}


def run_stampede(repeat: int, size: str, requests_at_once: int = 40) -> str:
    """Send bursts of identical requests to a gunicorn server on a private redis-server,
    and count how many ran the view (``Server-Timing``) in each."""
    import tempfile

    from .redis_server import free_port, start_redis_server
    from .traffic import Caller, burst, live_server

    port = free_port()
    lines = [
        f"| Burst of {requests_at_once} identical requests | Ran the view "
        "(median) | Ran the view (most) | Waited for another's result (median) "
        "| Found the entry stored (median) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    with tempfile.TemporaryDirectory() as workdir:
        server = start_redis_server(port, Path(workdir))
        try:
            redis_url = f"redis://127.0.0.1:{port}/0"
            with live_server(Path(workdir), redis_url, size=size) as live:
                writer = Caller(live, "alice-token")
                for case in BURSTS:
                    computed, waited, found = [], [], []
                    for n in range(repeat):
                        path = case.path.format(n=n)
                        if case.after_a_write:
                            writer.get(path)  # warm: the popular page is cached
                            writer.send(
                                "patch", "/api/signals/books/1/", {"title": f"T{n}"}
                            )
                        outcomes = burst(live, path, requests_at_once=requests_at_once)
                        computed.append(sum(o in COMPUTED for o in outcomes))
                        waited.append(outcomes.count("waited"))
                        found.append(outcomes.count("hit"))
                    lines.append(
                        f"| {case.label} | {statistics.median(computed):g} "
                        f"| {max(computed)} | {statistics.median(waited):g} "
                        f"| {statistics.median(found):g} |"
                    )
        finally:
            server.kill()
            server.wait(timeout=10)
    return "\n".join(lines)


def run_expiry(readers: int = 40) -> str:
    """Release ``readers`` threads together on an expired hot entry, in one process on
    the embedded cache, with a 20 ms computation; then run XFetch over a steady stream."""
    from recipes.stampede.tests.naive import get_or_compute

    strategies: dict[str, Callable[[], Reader]] = {
        "cache-aside, no guard": lambda: (
            lambda compute: get_or_compute("k", compute) and "read"
        ),
        "single flight (stale_for=0)": lambda: expired_entry(stale_for=0),
        "single flight + stale-while-revalidate": lambda: expired_entry(stale_for=30),
    }
    lines = [
        f"| {readers} readers of an expired hot entry | Ran the view "
        "| Served stale at once | Waited for another's result |",
        "| --- | ---: | ---: | ---: |",
    ]
    for label, make_reader in strategies.items():
        runs, outcomes = readers_together(make_reader, readers)
        lines.append(
            f"| {label} | {runs} | {outcomes['stale']} | {outcomes['waited']} |"
        )
    return "\n".join(lines) + "\n\n" + xfetch_table()


Reader = Callable[[Callable[[], str]], str]


def readers_together(
    make_reader: Callable[[], Reader], readers: int
) -> tuple[int, Counter]:
    """Start from an empty cache, prepare the entry, release ``readers`` threads at once;
    return how often the 20 ms computation ran, and the readers' outcomes."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.core.cache import cache

    cache.clear()
    read = make_reader()
    runs: list[int] = []

    def compute() -> str:
        runs.append(1)
        time.sleep(0.02)
        return "page"

    together = threading.Barrier(readers)

    def one(_: int) -> str:
        together.wait(timeout=10)
        return read(compute)

    with ThreadPoolExecutor(max_workers=readers) as pool:
        outcomes = Counter(pool.map(one, range(readers)))
    return len(runs), outcomes


def expired_entry(*, stale_for: float) -> Reader:
    """Store an entry through a guard, move its clock past the entry's freshness, and
    return a reader that goes through that guard."""
    from recipes.stampede.stampede_guard import StampedeGuard

    now = [time.time()]
    guard = StampedeGuard(stale_for=stale_for, clock=lambda: now[0])
    guard.get_or_compute("k", lambda: "old page", timeout=60)
    now[0] += 61
    return lambda compute: guard.get_or_compute("k", compute, timeout=60)[1]


def xfetch_table(reads: int = 20_000) -> str:
    """Read one hot entry every 10 ms of simulated time for ``reads`` reads; count how
    many reads found it expired, with XFetch off (beta 0) and on (beta 1)."""
    lines = [
        f"| {reads:,} reads, one every 10 ms; 60 s timeout; 0.5 s to compute "
        "| Reads that found it expired | Early refreshes |",
        "| --- | ---: | ---: |",
    ]
    for beta in (0.0, 1.0):
        outcomes = steady_stream(beta, reads)
        label = "XFetch on (beta 1)" if beta else "XFetch off (beta 0)"
        lines.append(f"| {label} | {outcomes['miss'] - 1} | {outcomes['refresh']} |")
    return "\n".join(lines)


def steady_stream(beta: float, reads: int) -> Counter:
    """One reader on a simulated clock; the first read's miss is the cold start."""
    import random

    from django.core.cache import cache

    from recipes.stampede.stampede_guard import StampedeGuard

    cache.clear()
    clock = [0.0]
    draws = random.Random(2015)
    guard = StampedeGuard(
        stale_for=0, beta=beta, clock=lambda: clock[0], draw=lambda: 1 - draws.random()
    )

    def compute() -> str:
        clock[0] += 0.5  # the computation's time, on the simulated clock
        return "page"

    outcomes: Counter = Counter()
    for _ in range(reads):
        outcomes[guard.get_or_compute("hot", compute, timeout=60)[1]] += 1
        clock[0] += 0.01
    return outcomes


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "scenario",
        choices=sorted(
            [
                *SCENARIOS,
                STORAGE_SCENARIO,
                STAMPEDE_SCENARIO,
                HITS_SCENARIO,
                WORKLOAD_SCENARIO,
                MONITORING_SCENARIO,
                MEMORY_SCENARIO,
                SCALE_OUT_SCENARIO,
                SHARED_CACHE_SCENARIO,
                CACHE_CHECK_SCENARIO,
                ASGI_SCENARIO,
            ]
        ),
    )
    parser.add_argument("--size", default="bench", choices=["small", "bench"])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--write", type=Path)
    parser.add_argument(
        "--rounds",
        type=int,
        default=None,
        help="workload (5) and shared-cache (2): rounds in alternating order (the "
        "machine is noisy)",
    )
    parser.add_argument(
        "--chart", type=Path, help="hits: where to draw its chart (SVG)"
    )
    args = parser.parse_args(argv)

    if args.scenario == HITS_SCENARIO:
        from .hits import run_hits

        output = run_hits(args.size, args.repeat, args.chart)
        what = (
            "Django's WSGI handler called in one process, the demo's middleware, SQLite in "
            f"memory, a private redis-server on loopback; {args.repeat} interleaved rounds"
        )
    elif args.scenario == MONITORING_SCENARIO:
        from .monitoring_cost import run_monitoring_cost

        output = run_monitoring_cost(args.size, args.repeat)
        what = (
            "Django's WSGI handler called in one process, SQLite in memory, a private "
            f"redis-server on loopback; {args.repeat} interleaved rounds"
        )
    elif args.scenario == SCALE_OUT_SCENARIO:
        from .scale_out_cost import run_scale_out_cost

        output = run_scale_out_cost(args.size, args.repeat)
        what = (
            "Django's WSGI handler called in one process, SQLite in memory; one "
            "redis-server, a primary with a replica and a three-node Redis Cluster, all "
            f"on loopback; {args.repeat} interleaved rounds"
        )
    elif args.scenario == MEMORY_SCENARIO:
        from .memory_sizes import run_memory_sizes

        output = run_memory_sizes(args.size)
        what = (
            "Django's WSGI handler called in one process, SQLite in memory, a private "
            "redis-server on loopback, each request on an empty Redis"
        )
    elif args.scenario == ASGI_SCENARIO:
        from .asgi_cost import run_asgi_cost
        from .workload import CLIENT_KINDS

        clients, each = 50, args.repeat
        output = run_asgi_cost(args.size, clients=clients, each=each, repeat=each * 10)
        what = (
            "the demo under gunicorn (2 workers, 8 threads each), then under uvicorn (1 "
            f"worker), on one redis-server on loopback; {clients} client threads "
            f"({', '.join(CLIENT_KINDS)} in turn), {each} requests each per target, then "
            f"{each * 10} from one client"
        )
    elif args.scenario == WORKLOAD_SCENARIO:
        from .workload import CLIENT_KINDS, WRITE_SHARE, run_workload

        clients, rounds = 8, args.rounds or 5
        output = run_workload(
            args.size, clients=clients, each=args.repeat * 5, rounds=rounds
        )
        what = (
            f"gunicorn (2 workers, 8 threads each) and a redis-server on loopback; "
            f"{clients} client threads ({', '.join(CLIENT_KINDS)}), {args.repeat * 5} "
            f"requests each per round, {rounds} rounds in alternating order, each from "
            f"a cold cache, {WRITE_SHARE:.0%} writes"
        )
    elif args.scenario == SHARED_CACHE_SCENARIO:
        from .shared_workload import PURGE_DELAY, SHARED_KINDS, run_shared_workload
        from .workload import WRITE_SHARE

        clients, rounds = len(SHARED_KINDS), args.rounds or 2
        output = run_shared_workload(
            args.size, clients=clients, each=args.repeat * 5, rounds=rounds
        )
        what = (
            f"gunicorn (2 workers, 8 threads each) and Varnish (the recipe's VCL, "
            f"malloc 32 MB) on loopback; {clients} client threads "
            f"({SHARED_KINDS.count('anonymous')} anonymous, alice-token, bob-token), "
            f"{args.repeat * 5} requests each per round, {rounds} rounds in alternating "
            f"order, Varnish empty at the start of each, {WRITE_SHARE:.0%} writes, "
            f"the second purge {PURGE_DELAY} s after the first"
        )
    elif args.scenario == CACHE_CHECK_SCENARIO:
        from .cache_check_cost import CALLERS, run_cache_check_cost
        from .redis_server import bookshop_on_private_redis

        with bookshop_on_private_redis(args.size):
            output = run_cache_check_cost()
        what = (
            "Django's WSGI handler called in one process, SQLite in memory, a private "
            "redis-server on loopback; the check's defaults (20 scenarios of up to 8 "
            f"requests, seed 0), as {', '.join(CALLERS)}"
        )
    elif args.scenario == STAMPEDE_SCENARIO:
        output = run_stampede(args.repeat, args.size)
        sandbox.start("small")
        output += "\n\n" + run_expiry()
        what = (
            "Second table: threads in one process on the embedded cache, a 20 ms "
            "computation; third: one reader on a simulated clock. First table: gunicorn "
            "(2 workers, 8 threads each) and a redis-server on loopback, "
            f"{args.repeat} bursts per row, a book list page as alice (token)"
        )
    elif args.scenario == STORAGE_SCENARIO:
        output = run_storage(args.size, args.repeat)
        what = (
            "The bookshop's 50-row list page as JSON data, on a local redis-server, "
            f"{args.repeat} sets and gets per row"
        )
    else:
        sandbox.start(args.size)
        client = sandbox.client("alice-token")
        variants = SCENARIOS[args.scenario]
        output = table([measure(client, variant, args.repeat) for variant in variants])
        what = f"One 50-row page as alice (token), {args.repeat} requests per variant"
    print(output)
    if args.write:
        command = (
            f"python -m harness.bench {args.scenario} --size {args.size} "
            f"--repeat {args.repeat}"
            + (f" --rounds {args.rounds}" if args.rounds else "")
        )
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(
            f"{output}\n\n<small>{what}, `{args.size}` data set. Regenerate with "
            f"`{command} --write {args.write}` or `python3 noxfile.py -s bench`.</small>\n"
        )
    return output


if __name__ == "__main__":
    main()
