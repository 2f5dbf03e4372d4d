"""What the monitoring recipe adds to a hit: the same hit counted and not counted, in one run.

``python -m harness.bench monitoring`` seeds the bookshop on a private ``redis-server`` and
sends alice's token requests through Django's WSGI handler, as ``harness.hits`` does, to
each whole-response recipe's list page (a hit), in three ways: with the demo's middleware and
counting connections; with the middleware but connections of the class the counting one
wraps (responses counted, commands not); and with neither. Requests alternate in a shuffled
order; the uncounted hit is measured twice, and the two medians' ratio is the run's A/A noise.
"""

import random
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager

from .hits import Timed, WsgiClient, client_headers

RECIPES = ("versioning", "signals", "middleware", "manual-keys")
COUNTED, UNCOUNTED, UNCOUNTED_AGAIN = "counted", "not counted", "not counted (A/A)"
RESPONSES_ONLY = "responses only"  # the middleware, and connections that count nothing
WAYS = (COUNTED, RESPONSES_ONLY, UNCOUNTED, UNCOUNTED_AGAIN)
MONITORING = "recipes.monitoring.cache_metrics.CacheMetricsMiddleware"


@contextmanager
def connections(counted: bool) -> Iterator[None]:
    """Give the default cache's pool, and its open connections, the counting class or
    the class it wraps. Both ways do the same work, so that neither request starts with
    the pool fresher in the processor's caches than the other."""
    from django_redis import get_redis_connection

    pool = get_redis_connection("default").connection_pool
    counting = pool.connection_class  # outside this block, always the counting class
    swap(pool, counting if counted else counting.__bases__[1])  # (CountingMixin, base)
    try:
        yield
    finally:
        swap(pool, counting)


def swap(pool: object, connection_class: type) -> None:
    pool.connection_class = connection_class
    for connection in [*pool._available_connections, *pool._in_use_connections]:
        connection.__class__ = connection_class


def clients() -> dict[str, WsgiClient]:
    """Return a handler with the demo's middleware and one without the metrics'."""
    from django.conf import settings
    from django.test.utils import override_settings

    headers = client_headers("alice-token")
    counted = WsgiClient(headers)
    others = [name for name in settings.MIDDLEWARE if name != MONITORING]
    with override_settings(MIDDLEWARE=others):
        uncounted = WsgiClient(headers)
    return {
        COUNTED: counted,
        RESPONSES_ONLY: counted,
        UNCOUNTED: uncounted,
        UNCOUNTED_AGAIN: uncounted,
    }


def send(client: WsgiClient, way: str, path: str) -> float:
    """Send one request the ``way`` given; return its time in microseconds."""
    with connections(counted=way == COUNTED):  # responses only: the middleware alone
        started = time.perf_counter()
        client.get(path)
        return (time.perf_counter() - started) * 1e6


def measure(repeat: int, seed: int = 2026) -> list[Timed]:
    handlers = clients()
    timed = [Timed(recipe, way) for recipe in RECIPES for way in WAYS]
    for one in timed:  # warm: entries stored, code paths run
        for _ in range(3):
            send(handlers[one.way], one.way, f"/api/{one.recipe}/books/")
    order = random.Random(seed)
    for _ in range(repeat):
        order.shuffle(timed)
        for one in timed:
            path = f"/api/{one.recipe}/books/"
            one.times_us.append(send(handlers[one.way], one.way, path))
    return timed


def report(timed: list[Timed]) -> str:
    """The table, and the sentence the page states, from the same medians."""
    rows = [
        "| alice-token, list page hit | Counted | Responses only | Not counted | "
        "Not counted again | Counted ÷ not counted | Responses only ÷ not counted "
        "| A/A ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    ratios, responses_only, noises = [], [], []
    for recipe in RECIPES:
        medians = {t.way: t.median for t in timed if t.recipe == recipe}
        ratio = medians[COUNTED] / medians[UNCOUNTED]
        only = medians[RESPONSES_ONLY] / medians[UNCOUNTED]
        noise = medians[UNCOUNTED_AGAIN] / medians[UNCOUNTED]
        ratios.append(ratio)
        responses_only.append(only)
        noises.append(abs(noise - 1))
        rows.append(
            f"| {recipe} | "
            + " | ".join(f"{medians[way]:,.0f} µs" for way in WAYS)
            + f" | {ratio:.3f} | {only:.3f} | {noise:.3f} |"
        )
    noise = max(noises)
    return (
        "\n".join(rows)
        + "\n\n"
        + " ".join(
            [
                costs("Counting responses and commands", ratios, noise),
                costs("Counting responses alone", responses_only, noise),
            ]
        )
    )


def costs(what: str, ratios: list[float], noise: float) -> str:
    """Say what ``ratios`` add to a hit, next to the run's A/A noise."""
    added = statistics.median(ratios) - 1
    verdict = "within" if abs(added) <= noise else "more than"
    return (
        f"{what} adds {added:+.1%} to the median hit across these recipes (the median "
        f"of their ratios), {verdict} the run's A/A noise of up to {noise:.1%}."
    )


def run_monitoring_cost(size: str, repeat: int) -> str:
    """Measure on a private redis-server with the bookshop's ``size`` data."""
    from .redis_server import bookshop_on_private_redis

    with bookshop_on_private_redis(size):
        return report(measure(repeat))
