"""On real servers: Redis's INFO figures, and the counts of several gunicorn workers."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.core.cache import caches
from prometheus_client.parser import text_string_to_metric_families

from harness.testing import RedisServer
from harness.traffic import live_server
from recipes.monitoring.cache_metrics import redis_info

PROMETHEUS_ACCEPT = "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"


@pytest.mark.real_redis
def test_redis_info_counts_one_hit_and_one_miss_exactly(settings, redis_server):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": redis_server.url,
        }
    }
    cache = caches["default"]
    cache.set("present", 1)
    before = redis_info()["default"]

    cache.get("present")
    cache.get("absent")

    after = redis_info()["default"]
    assert after["keyspace_hits"] - before["keyspace_hits"] == 1
    assert after["keyspace_misses"] - before["keyspace_misses"] == 1
    assert after["used_memory"] > 0
    assert after["connected_clients"] >= 1


def test_redis_info_is_none_for_a_redis_without_it(bookshop):
    assert redis_info() == {"default": None}  # fakeredis answers no INFO


def responses_counted(text: str, namespace: str) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        if family.name == "drf_cache_responses"
        for sample in family.samples
        if sample.name == "drf_cache_responses_total"
        and sample.labels["namespace"] == namespace
    )


# --8<-- [start:workers]
@pytest.mark.real_redis
@pytest.mark.concurrency
def test_every_scrape_adds_up_the_counts_of_every_gunicorn_worker(
    redis_server: RedisServer, tmp_path
):
    counts = tmp_path / "prometheus"
    counts.mkdir()
    env = {"PROMETHEUS_MULTIPROC_DIR": str(counts)}  # (1)!
    with live_server(tmp_path, redis_server.url, threads=4, server_env=env) as server:

        def read(n: int) -> int:  # a connection per request: either worker may take it
            path = f"/api/versioning/books/{n % 5 + 1}/"
            return requests.get(server.url(path), timeout=30).status_code

        statuses: list[int] = []
        with ThreadPoolExecutor(8) as pool:
            for _ in range(25):  # until both workers have answered (the kernel chooses)
                statuses += pool.map(read, range(40))
                if len(list(counts.glob("counter_*.db"))) == 2:
                    break
        scrapes = [
            requests.get(
                server.url("/api/monitoring/metrics/"),
                headers={"Accept": PROMETHEUS_ACCEPT},
                timeout=30,
            ).text
            for _ in range(6)  # each answered by whichever worker takes it
        ]

    assert statuses == [200] * len(statuses)
    assert len(list(counts.glob("counter_*.db"))) == 2  # both workers counted
    sent = len(statuses)
    assert [responses_counted(text, "versioning") for text in scrapes] == [sent] * 6


# --8<-- [end:workers]
