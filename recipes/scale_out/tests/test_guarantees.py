"""On every topology, no invalidating recipe serves stale or foreign data after a write."""

import itertools

import pytest

from harness.testing import read_both
from recipes.bookshop import sandbox
from recipes.scale_out.redis_topologies import (
    cluster_cache,
    replicated_cache,
    sentinel_cache,
    sharded_cache,
)

# One of each way to invalidate: tags, versions bumped by views and by signals, marks of
# what was read, row fields, a guarded versioned entry, and credentials ended by a delete.
INVALIDATING = (
    "manual-keys",
    "versioning",
    "signals",
    "tracked",
    "serializer-fields",
    "stampede",
    "conditional",
)
READERS = ("anonymous", "alice-token", "bob-session")
TITLES = itertools.count()  # every write changes what it writes
# django-redis 7.0's own RedisCache passes ``client=None`` to every ShardClient call, which
# warns on every read; the warning is about django-redis's call, not the recipes'.
SHARD_CLIENT_WARNS = "ignore:.* on sharded client should not specify client"


def paths(slug: str) -> list[str]:
    books = f"/api/{slug}/books/"
    return [books, f"/api/{slug}/authors/", f"{books}1/", f"{books}2/"]


def warm(readers: dict, slug: str) -> None:
    """Read every view as every reader, so that each has its entry."""
    for kind, path in itertools.product(READERS, paths(slug)):
        readers[kind].get(path)


def warm_every_view(slug: str) -> None:
    warm({kind: sandbox.client(kind) for kind in READERS}, slug)


def differences_after_writes(slug: str) -> list[tuple[str, str]]:
    """Warm every reader's views, write twice, and list every view read differently
    from the uncached API."""
    readers = {kind: sandbox.client(kind) for kind in READERS}
    alice = readers["alice-token"]
    found = []
    for book in (1, 2):
        warm(readers, slug)
        response = alice.patch(
            f"/api/{slug}/books/{book}/",
            {"title": f"Write {next(TITLES)}"},
            format="json",
        )
        assert response.status_code == 200, response.content
        found += [
            (kind, path)
            for kind, reader in readers.items()
            for path in paths(slug)
            if (read := read_both(reader, path))[0] != read[1]
        ]
    return found


@pytest.mark.real_redis
@pytest.mark.parametrize("slug", INVALIDATING)
def test_replicas_that_lag_serve_nothing_stale(replicated, cache_on, slug):
    cache_on(
        replicated,
        replicated_cache(replicated.primary.url, [replicated.replicas[0].url]),
    )
    replicated.pause_replication()
    try:
        assert differences_after_writes(slug) == []
    finally:
        replicated.resume_replication()


@pytest.mark.real_redis
@pytest.mark.filterwarnings(SHARD_CLIENT_WARNS)
@pytest.mark.parametrize("slug", INVALIDATING)
def test_shards_serve_nothing_stale(shards, cache_on, slug):
    cache_on(shards, sharded_cache(shards.urls))
    assert differences_after_writes(slug) == []


@pytest.mark.real_redis
@pytest.mark.parametrize("slug", INVALIDATING)
def test_a_cluster_serves_nothing_stale(cluster, cache_on, slug):
    cache_on(cluster, cluster_cache(cluster.urls))
    assert differences_after_writes(slug) == []


@pytest.mark.real_redis
@pytest.mark.parametrize("slug", INVALIDATING)
def test_sentinels_serve_nothing_stale(sentinels, cache_on, slug):
    cache_on(sentinels, sentinel_cache(sentinels.addresses, sentinels.service))
    assert differences_after_writes(slug) == []


@pytest.mark.real_redis
def test_with_the_primary_down_replicas_keep_the_api_right(tmp_path, cache_on):
    from harness.redis_topology import Replicated

    with Replicated(tmp_path) as nodes:
        cache_on(nodes, replicated_cache(nodes.primary.url, [nodes.replicas[0].url]))
        for slug in ("versioning", "middleware"):
            sandbox.client("anonymous").get(f"/api/{slug}/books/")
        nodes.primary.kill()
        alice = sandbox.client("alice-token")
        alice.patch(
            "/api/versioning/books/1/", {"title": "Primary down"}, format="json"
        )
        reads = [
            read_both(sandbox.client(kind), f"/api/{slug}/books/{book}/")
            for kind in READERS
            for slug in ("versioning", "manual-keys")
            for book in (1, 2)
        ]
    assert all(cached == fresh and cached[0] == 200 for cached, fresh in reads)
