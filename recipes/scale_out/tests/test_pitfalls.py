"""What the configurations found in the wild do on more than one Redis."""

import pytest
from django.core.cache import caches
from django_redis import get_redis_connection
from redis.cluster import RedisCluster
from redis.exceptions import RedisClusterException

from recipes.scale_out.redis_topologies import replicated_cache, sharded_cache
from recipes.versioned.namespaces import Namespaces

from .naive import builtin_replicated_cache, django_redis_replicated_cache
from .test_guarantees import (
    SHARD_CLIENT_WARNS,
    differences_after_writes,
    warm_every_view,
)


# --8<-- [start:lagging_replica]
@pytest.mark.real_redis
def test_reads_from_a_lagging_replica_serve_what_a_write_replaced(replicated, cache_on):
    primary, replica = replicated.primary.url, replicated.replicas[0].url
    cache_on(replicated, django_redis_replicated_cache(primary, replica))
    for _ in ("versions", "entries"):  # each started on the primary, then copied
        warm_every_view("versioning")
        replicated.wait_in_sync()
    replicated.pause_replication()  # (1)!
    try:
        assert differences_after_writes("versioning")
    finally:
        replicated.resume_replication()


@pytest.mark.real_redis
def test_djangos_own_redis_cache_reads_an_old_version_after_a_bump(
    replicated, cache_on
):
    primary, replica = replicated.primary.url, replicated.replicas[0].url
    cache_on(replicated, builtin_replicated_cache(primary, replica))
    namespaces = Namespaces()
    namespaces.versions(["books"])  # started on the primary, then copied
    replicated.wait_in_sync()
    before = namespaces.versions(["books"])
    replicated.pause_replication()
    try:
        namespaces.bump(["books"])
        assert namespaces.versions(["books"]) == before  # the bump is not seen
    finally:
        replicated.resume_replication()


# --8<-- [end:lagging_replica]


@pytest.mark.real_redis
def test_a_versioned_hit_reads_its_entry_from_the_replica(replicated, cache_on):
    from harness.testing import timing
    from recipes.bookshop import sandbox

    cache_on(
        replicated,
        replicated_cache(replicated.primary.url, [replicated.replicas[0].url]),
    )
    reader = sandbox.client("anonymous")
    reader.get("/api/versioning/books/")
    replicated.wait_in_sync()
    replica = replicated.replicas[0].client()
    replica.config_resetstat()

    assert timing(reader.get("/api/versioning/books/")).cache == "hit"
    reads = replica.info("commandstats")["cmdstat_mget"]["calls"]
    assert reads == 2  # the caller's alias (none yet), then the versions with the entry


@pytest.mark.real_redis
@pytest.mark.filterwarnings(SHARD_CLIENT_WARNS)
def test_a_shard_client_has_no_one_connection_for_a_script(shards, cache_on):
    cache_on(shards, sharded_cache(shards.urls))
    with pytest.raises(NotImplementedError):
        get_redis_connection("default")  # what a recipe's script would run on
    client = caches["default"].client
    tagged = {client.get_server_name(f":1:{{books}}:{n}") for n in range(20)}
    untagged = {client.get_server_name(f":1:ns:{n}") for n in range(20)}
    assert len(tagged) == 1
    assert len(untagged) == 2


@pytest.mark.real_redis
def test_a_cluster_refuses_a_script_or_mget_across_slots(cluster):
    client = RedisCluster(host="127.0.0.1", port=cluster.nodes[0].port)
    keys = ["ns:books", "ns:authors"]  # two slots, on two nodes here
    assert client.keyslot(keys[0]) != client.keyslot(keys[1])
    # Not a RedisError: code that catches RedisError to fail open lets it through.
    with pytest.raises(RedisClusterException, match="same key slot"):
        client.mget(keys)
    with pytest.raises(RedisClusterException, match="same key slot"):
        client.eval("return redis.call('DEL', KEYS[1], KEYS[2])", 2, *keys)
    tagged = ["{books}:tag:1", "{books}:entry:1"]
    assert client.eval("return redis.call('DEL', KEYS[1], KEYS[2])", 2, *tagged) == 0
    client.close()


@pytest.mark.real_redis
@pytest.mark.filterwarnings(SHARD_CLIENT_WARNS)
def test_a_pattern_delete_and_a_lock_reach_every_shard(shards, cache_on):
    cache_on(shards, sharded_cache(shards.urls))
    cache = caches["default"]
    keys = [f"page:{n}" for n in range(20)]
    cache.set_many(dict.fromkeys(keys, 1))
    servers = {cache.client.get_server_name(cache.make_key(key)) for key in keys}
    assert len(servers) == 2  # one group of keys, on both shards

    cache.delete_pattern("page:*")
    assert cache.get_many(keys) == {}
    with cache.lock("page:lock", timeout=5, blocking_timeout=0):
        assert not cache.lock("page:lock", blocking_timeout=0).acquire()
