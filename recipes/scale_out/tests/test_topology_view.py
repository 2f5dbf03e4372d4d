"""``/api/scale-out/topology/``: where the cache reads and writes, and where a key lives."""

import pytest

from recipes.bookshop import sandbox
from recipes.scale_out.redis_topologies import cluster_cache, replicated_cache

TOPOLOGY = "/api/scale-out/topology/"


def test_the_demo_cache_is_one_server_for_reads_and_writes(bookshop):
    answer = sandbox.client("anonymous").get(TOPOLOGY, {"key": "ns:books"}).json()
    assert answer["client"] == "DefaultClient"
    assert answer["route"] == {
        "key": "ns:books",
        "stored_as": ":1:ns:books",
        "slot": 15591,
        "writes": "primary",
        "reads": "primary",
    }


@pytest.mark.parametrize("key", ["two words", "x" * 201, "caf\u00e9"])
def test_a_key_that_no_cache_would_hold_is_a_400_that_says_why(bookshop, key):
    response = sandbox.client("anonymous").get(TOPOLOGY, {"key": key})
    assert response.status_code == 400
    assert response.json()["key"]


def test_with_replicas_versions_are_read_from_the_primary_and_entries_from_a_replica(
    bookshop, settings
):
    settings.CACHES = {
        "default": replicated_cache("redis://127.0.0.1:1/0", ["redis://127.0.0.1:2/0"])
    }
    client = sandbox.client("anonymous")
    version = client.get(TOPOLOGY, {"key": "ns:books"}).json()["route"]
    entry = client.get(TOPOLOGY, {"key": "books.list:abc"}).json()["route"]
    assert (version["reads"], entry["reads"]) == ("primary", "replica")


@pytest.mark.real_redis
def test_on_a_cluster_a_hash_tag_decides_the_slot(cluster, cache_on):
    cache_on(cluster, cluster_cache(cluster.urls))
    client = sandbox.client("anonymous")
    routes = [
        client.get(TOPOLOGY, {"key": key}).json()["route"]
        for key in ("{tagged}:entry:1", "{tagged}:tag:book:1", "ns:books")
    ]
    server = cluster.nodes[0].client()
    assert [r["slot"] for r in routes] == [
        server.cluster("keyslot", r["stored_as"]) for r in routes
    ]  # as Redis itself computes it
    assert routes[0]["slot"] == routes[1]["slot"] != routes[2]["slot"]
