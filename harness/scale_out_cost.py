"""What a hit costs beyond one Redis: the same hit on one server, on a primary with a
replica, and on a three-node Redis Cluster, in one run.

``python -m harness.bench scale-out`` seeds the bookshop, starts each topology as real
``redis-server`` processes on loopback, and sends alice's token requests through Django's
WSGI handler to each recipe's list page (a hit), switching the default cache between the
topologies request by request, in a shuffled order. The one-server hit is measured twice;
the two medians' ratio is the run's A/A noise.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from .hits import Timed, WsgiClient, client_headers
from .redis_server import free_port, start_redis_server
from .redis_topology import Cluster, Replicated

RECIPES = ("versioning", "manual-keys", "middleware")
ONE, ONE_AGAIN, REPLICAS, CLUSTER = (
    "one server",
    "one server (A/A)",
    "primary + replica",
    "cluster of 3",
)
WAYS = (ONE, REPLICAS, CLUSTER, ONE_AGAIN)


def one_server_cache(url: str) -> dict[str, Any]:
    """django-redis's default client on one server, with the same timeouts."""
    from recipes.scale_out.redis_topologies import timeouts

    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "OPTIONS": timeouts(0.5, 0.5),
    }


def build(entry: dict[str, Any]) -> Any:
    from django.utils.module_loading import import_string

    return import_string(entry["BACKEND"])(entry["LOCATION"], entry)


def use(cache: Any) -> None:
    """Make ``cache`` the default cache of this thread, as ``caches["default"]``."""
    from django.core.cache import caches

    caches._connections.default = cache


def measure(
    caches_by_way: dict[str, Any],
    repeat: int,
    warmed: Callable[[], None],
    seed: int = 2026,
) -> list[Timed]:
    client = WsgiClient(client_headers("alice-token"))
    timed = [Timed(recipe, way) for recipe in RECIPES for way in WAYS]
    for one in timed:  # warm: entries stored on each topology, code paths run
        use(caches_by_way[one.way])
        for _ in range(3):
            client.get(f"/api/{one.recipe}/books/")
    warmed()
    order = random.Random(seed)
    for _ in range(repeat):
        order.shuffle(timed)
        for one in timed:
            use(caches_by_way[one.way])
            started = time.perf_counter()
            _, headers, _ = client.get(f"/api/{one.recipe}/books/")
            one.times_us.append((time.perf_counter() - started) * 1e6)
            assert 'desc="hit"' in headers["Server-Timing"], (one, headers)
    return timed


def report(timed: list[Timed]) -> str:
    """The table, and the sentences the page states, from the same medians."""
    rows = [
        "| alice-token, list page hit | "
        + " | ".join(WAYS)
        + " | Replicas ÷ one | Cluster ÷ one | A/A ratio |",
        "| --- |" + " ---: |" * (len(WAYS) + 3),
    ]
    sentences, noises = [], []
    for recipe in RECIPES:
        medians = {t.way: t.median for t in timed if t.recipe == recipe}
        replicas, cluster = (medians[w] / medians[ONE] for w in (REPLICAS, CLUSTER))
        noises.append(abs(medians[ONE_AGAIN] / medians[ONE] - 1))
        rows.append(
            f"| {recipe} | "
            + " | ".join(f"{medians[way]:,.0f} µs" for way in WAYS)
            + f" | {replicas:.2f} | {cluster:.2f} | {medians[ONE_AGAIN] / medians[ONE]:.3f} |"
        )
        sentences.append(
            f"a {recipe} hit takes {cluster:.2f} times as long on the cluster as on "
            f"one server, and {replicas:.2f} times as long with a replica"
        )
    return (
        "\n".join(rows)
        + "\n\nIn this run, "
        + "; ".join(sentences)
        + f" (the run's A/A noise: up to {max(noises):.1%})."
    )


def run_scale_out_cost(size: str, repeat: int) -> str:
    """Seed the bookshop with ``size`` data; measure on freshly started topologies."""
    import os

    with tempfile.TemporaryDirectory() as workdir, ExitStack() as stack:
        root = Path(workdir)
        port = free_port()
        single = start_redis_server(port, root)
        stack.callback(single.kill)
        replicated = stack.enter_context(Replicated(root / "replicated"))
        cluster = stack.enter_context(Cluster(root / "cluster"))
        os.environ["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
        os.environ["DJANGO_DEBUG"] = "0"
        from recipes.bookshop import sandbox
        from recipes.scale_out.redis_topologies import cluster_cache, replicated_cache

        sandbox.start(size)
        one = build(one_server_cache(f"redis://127.0.0.1:{port}/0"))
        caches_by_way = {
            ONE: one,
            ONE_AGAIN: one,
            REPLICAS: build(
                replicated_cache(
                    replicated.primary.url, [r.url for r in replicated.replicas]
                )
            ),
            CLUSTER: build(cluster_cache(cluster.urls)),
        }
        return report(measure(caches_by_way, repeat, replicated.wait_in_sync))
