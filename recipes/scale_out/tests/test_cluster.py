"""A Redis Cluster of three primaries, reached through redis-py's ``RedisCluster``."""

import pytest
import redis.asyncio
from django.core.cache import caches

from harness.testing import Timing, read_both, timing
from recipes.async_cache.tests.conftest import AsgiCaller
from recipes.bookshop import sandbox
from recipes.scale_out.redis_topologies import CacheCluster, cluster_cache, key_slot

from .test_guarantees import paths

# Each shape of key a recipe reads: versions and entries across slots (the versioning
# family), and one hash tag's keys in one slot, written by a script (manual keys, fields).
KEY_SHAPES = ("versioning", "manual-keys")


@pytest.mark.real_redis
def test_a_hit_spans_slots_and_a_tag_store_stays_in_one(cluster, cache_on):
    cache_on(cluster, cluster_cache(cluster.urls))
    reader = sandbox.client("anonymous")
    reader.get("/api/versioning/books/")
    assert timing(reader.get("/api/versioning/books/")).cache == "hit"
    reader.get("/api/manual-keys/books/")
    assert timing(reader.get("/api/manual-keys/books/")).cache == "hit"

    stored = caches["default"].client.get_client(write=True).keys(target_nodes="all")
    tagged = {key_slot(key) for key in stored if b"{" in key}
    versions = {key_slot(key) for key in stored if b":ns:" in key}
    assert len(versions) > 1  # versions spread over slots
    assert len({cluster.node_of(k.decode()).port for k in stored}) > 1  # and nodes
    assert all(
        len({key_slot(key) for key in stored if key.startswith(tag)}) == 1
        for tag in {key[: key.index(b"}") + 1] for key in stored if b"{" in key}
    )
    assert tagged


# --8<-- [start:node_down]
@pytest.mark.real_redis
@pytest.mark.parametrize("slug", KEY_SHAPES)
def test_a_cluster_with_a_node_down_answers_every_read_right(
    tmp_path, redis_server, cache_on, slug
):
    from harness.redis_topology import Cluster

    with Cluster(tmp_path) as cluster:
        cache_on(cluster, cluster_cache(cluster.urls))
        readers = [sandbox.client(kind) for kind in ("anonymous", "alice-token")]
        for reader in readers:
            for path in paths(slug):
                reader.get(path)
        cluster.nodes[0].kill()  # (1)!
        alice = readers[1]
        alice.patch(f"/api/{slug}/books/1/", {"title": "Node down"}, format="json")
        reads = [read_both(reader, path) for reader in readers for path in paths(slug)]
    assert all(cached == fresh and cached[0] == 200 for cached, fresh in reads)


# --8<-- [end:node_down]


@pytest.mark.parametrize("slug", ["versioning", "manual-keys", "tracked"])
def test_a_cluster_no_node_answers_is_a_miss_not_a_500(settings, bookshop, slug):
    """The cluster client connects when it is made, outside django-redis's own ``try``."""
    settings.CACHES = {"default": cluster_cache(["redis://127.0.0.1:1/0"])}
    sandbox.collect_cache_errors()
    reader = sandbox.client("alice-token")
    for path in paths(slug):
        response = reader.get(path)
        assert response.status_code == 200, path
        assert timing(response).cache != "hit"


@pytest.mark.real_redis
def test_an_async_hit_is_read_from_the_cluster_on_the_loop(
    cluster, cache_on, monkeypatch
):
    """The async-cache recipe's reader opens redis-py's asyncio cluster client."""
    cache_on(cluster, cluster_cache(cluster.urls))
    caller = AsgiCaller(sandbox.client("alice-token"))
    caller.get("/api/async-cache/books/")  # a miss, stored through the sync client
    sync_commands = commands_of(CacheCluster, monkeypatch)
    async_commands = commands_of(redis.asyncio.RedisCluster, monkeypatch)

    hit = caller.get("/api/async-cache/books/")
    held = caller.get("/api/async-cache/books/")  # the stamps, in one slot

    assert timing(hit) == timing(held) == Timing("hit", 0)
    assert (sync_commands, async_commands) == ([], ["EVALSHA", "MGET"])


def commands_of(client: type, monkeypatch) -> list[str]:
    """The commands ``client`` sends from now on, by name."""
    sent, execute = [], client.execute_command

    def counted(self, *args, **options):
        sent.append(str(args[0]))
        return execute(self, *args, **options)

    monkeypatch.setattr(client, "execute_command", counted)
    return sent
