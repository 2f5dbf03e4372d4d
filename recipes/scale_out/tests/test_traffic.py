"""Concurrent traffic on each topology: a gunicorn server, reader threads and a writer."""

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.redis_topology import Cluster, Replicated, Sentinels
from harness.traffic import LiveServer, live_server, run_traffic, stale_reads

pytestmark = [
    pytest.mark.real_redis,
    pytest.mark.concurrency,
    pytest.mark.xdist_group("scale-out-live"),
]
SLUGS = ("versioning", "manual-keys")


def serving(workdir: Path, function: str, *args: object) -> Iterator[LiveServer]:
    """The demo under gunicorn, caching through ``function(*args)`` of the recipe."""
    chosen = json.dumps({"function": function, "args": args})
    with live_server(
        workdir,
        None,
        settings="recipes.scale_out.tests.settings",
        server_env={"SCALE_OUT_CACHE": chosen},
    ) as server:
        yield server


@pytest.fixture(scope="module")
def on_replicas(redis_server, tmp_path_factory) -> Iterator[LiveServer]:
    with Replicated(tmp_path_factory.mktemp("replicas"), replica_count=2) as nodes:
        urls = [node.url for node in nodes.replicas]
        yield from serving(
            tmp_path_factory.mktemp("live"), "replicated_cache", nodes.primary.url, urls
        )


@pytest.fixture(scope="module")
def on_cluster(redis_server, tmp_path_factory) -> Iterator[LiveServer]:
    with Cluster(tmp_path_factory.mktemp("cluster")) as nodes:
        yield from serving(tmp_path_factory.mktemp("live"), "cluster_cache", nodes.urls)


@pytest.mark.parametrize("slug", SLUGS)
def test_replicas_under_traffic_serve_nothing_stale(on_replicas, slug):
    report = run_traffic(on_replicas, slug, rounds=3)
    assert report.errors == []
    assert stale_reads(on_replicas, slug) == []


@pytest.mark.parametrize("slug", SLUGS)
def test_a_cluster_under_traffic_serves_nothing_stale(on_cluster, slug):
    report = run_traffic(on_cluster, slug, rounds=3)
    assert report.errors == []
    assert stale_reads(on_cluster, slug) == []


# --8<-- [start:failover_under_traffic]
def test_a_failover_under_traffic_answers_every_request_and_leaves_nothing_stale(
    redis_server, tmp_path_factory
):
    with Sentinels(tmp_path_factory.mktemp("sentinels"), service="traffic") as nodes:
        for server in serving(
            tmp_path_factory.mktemp("live"),
            "sentinel_cache",
            nodes.addresses,
            nodes.service,
        ):
            failover = threading.Timer(1.0, nodes.kill_primary_and_wait_for_promotion)
            failover.start()  # (1)!
            report = run_traffic(server, "versioning", rounds=4)
            failover.join()

            assert nodes.primary_port() == nodes.primary.port != nodes.replicas[0].port
            assert report.errors == []  # every read a 200, every write acknowledged
            assert stale_reads(server, "versioning") == []


# --8<-- [end:failover_under_traffic]
