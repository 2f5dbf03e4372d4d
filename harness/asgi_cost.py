"""The async-cache recipe's hits under uvicorn, next to the tracked recipe's under both servers.

``python -m harness.bench asgi`` serves the demo (``harness/bench_settings.py``) on one private
``redis-server``, first under gunicorn (2 workers, 8 threads each), then under uvicorn (1
worker, one event loop). On each server, for each target, it sends hits from many client
threads at once (requests per second), then from one client, one request after another (the
median time of one hit). Each caller reads the page twice first, so every timed request is
a hit; the table counts any that was not.

Client and server share the machine: the ratios to each server's floor say how close a
target comes to it under the same load, not a server's capacity.
"""

import statistics
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import redis

from .redis_server import free_port, start_redis_server
from .traffic import Caller, LiveServer, live_server
from .workload import (
    CLIENT_KINDS,
    FLOOR_PATH,
    seconds_together,
    server_timing_outcome,
)

TARGETS = {
    "floor": FLOOR_PATH,
    "tracked hit (sync view)": "/api/tracked/books/",
    "async-cache hit (async view)": "/api/async-cache/books/",
}
SERVERS = {"gunicorn": (False, 2), "uvicorn": (True, 1)}  # ASGI?, workers


@dataclass
class Measured:
    per_second: float = 0.0
    median_ms: float = 0.0
    outcomes: Counter = field(default_factory=Counter)


def warm(callers: list[Caller], path: str) -> None:
    """Read ``path`` twice as each caller: the entry, then what the next hit reads."""
    for caller in callers:
        for _ in range(2):
            caller.get(path)


def throughput(callers: list[Caller], path: str, each: int, seen: Counter) -> float:
    """Send ``each`` requests from every caller's thread at once; requests per second."""
    lock = threading.Lock()

    def client(caller: Caller) -> None:
        for _ in range(each):
            outcome = server_timing_outcome(caller.get(path))
            with lock:
                seen[outcome] += 1

    seconds = seconds_together([partial(client, caller) for caller in callers])
    return len(callers) * each / seconds


def one_after_another(caller: Caller, path: str, repeat: int, seen: Counter) -> float:
    """Send ``repeat`` requests from one client; the median, in milliseconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = caller.get(path)
        times.append((time.perf_counter() - started) * 1000)
        seen[server_timing_outcome(response)] += 1
    return statistics.median(times)


def measure(server: LiveServer, clients: int, each: int, repeat: int) -> dict:
    callers = [
        Caller(server, CLIENT_KINDS[n % len(CLIENT_KINDS)]) for n in range(clients)
    ]
    results = {}
    for label, path in TARGETS.items():
        warm(callers, path)
        result = results[label] = Measured()
        result.per_second = throughput(callers, path, each, result.outcomes)
        result.median_ms = one_after_another(callers[1], path, repeat, result.outcomes)
    return results


def table(by_server: dict[str, dict[str, Measured]]) -> str:
    heads = [f"{s}: requests/s | {s}: of its floor" for s in by_server]
    heads += [f"{s}: one client's median" for s in by_server]
    lines = [
        f"| Target | {' | '.join(heads)} | Not hits |",
        "| --- |" + " ---: |" * (3 * len(by_server) + 1),
    ]
    for label in TARGETS:
        cells = []
        for results in by_server.values():
            floor = results["floor"].per_second
            cells += [
                f"{results[label].per_second:,.0f}",
                f"{results[label].per_second / floor:.0%}",
            ]
        cells += [
            f"{results[label].median_ms:.2f} ms" for results in by_server.values()
        ]
        missed = sum(
            count
            for results in by_server.values()
            for outcome, count in results[label].outcomes.items()
            if label != "floor" and outcome != "hit"
        )
        lines.append(f"| {label} | {' | '.join(cells)} | {missed} |")
    return "\n".join(lines) + "\n\n" + verdict(by_server)


def verdict(by_server: dict[str, dict[str, Measured]]) -> str:
    """Say, from the numbers above, how the async hit compares under uvicorn."""
    uvicorn, gunicorn = by_server["uvicorn"], by_server["gunicorn"]
    async_hit = uvicorn["async-cache hit (async view)"]
    sync_hit = uvicorn["tracked hit (sync view)"]
    best_sync = gunicorn["tracked hit (sync view)"]
    return (
        f"Under uvicorn, the async hit answered {async_hit.per_second:,.0f} requests per "
        f"second, {async_hit.per_second / sync_hit.per_second:.2f} times the tracked "
        f"recipe's sync hit on the same server and "
        f"{async_hit.per_second / best_sync.per_second:.2f} times the tracked hit under "
        f"gunicorn; one client's async hit took {async_hit.median_ms:.2f} ms, against "
        f"{sync_hit.median_ms:.2f} ms for the sync hit under uvicorn."
    )


def run_asgi_cost(
    size: str, clients: int = 50, each: int = 20, repeat: int = 200
) -> str:
    port = free_port()
    by_server: dict[str, dict[str, Measured]] = {}
    with tempfile.TemporaryDirectory() as workdir:
        redis_server = start_redis_server(port, Path(workdir))
        try:
            for database, (name, (asgi, workers)) in enumerate(SERVERS.items()):
                url = f"redis://127.0.0.1:{port}/{database}"
                (Path(workdir) / name).mkdir()
                with live_server(
                    Path(workdir) / name,
                    url,
                    settings="harness.bench_settings",
                    size=size,
                    workers=workers,
                    asgi=asgi,
                ) as server:
                    floor_body = Caller(server, "anonymous").get("/api/uncached/books/")
                    redis.Redis(port=port, db=database).set(
                        "bench:floor:anonymous.list", floor_body.content
                    )
                    by_server[name] = measure(server, clients, each, repeat)
        finally:
            redis_server.kill()
            redis_server.wait(timeout=10)
    return table(by_server)
