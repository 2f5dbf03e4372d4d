"""A primary that dies: the API answers throughout, and nothing stale is current after."""

from types import SimpleNamespace

import pytest
import redis
from django.core.cache import caches

from harness.redis_topology import Sentinels
from harness.testing import read_both, timing
from recipes.bookshop import sandbox
from recipes.scale_out.redis_topologies import (
    EPOCH_KEY,
    FailoverAwareConnection,
    sentinel_cache,
)

from .naive import django_redis_sentinel_cache

PATHS = ["/api/versioning/books/"]


def read_paths(slug: str) -> list[str]:
    return [f"/api/{slug}/books/", f"/api/{slug}/books/1/"]


def set_back(replica: redis.Redis, dumped: dict[bytes, bytes]) -> None:
    """Make ``replica`` hold exactly what ``dumped`` held."""
    replica.config_set("replica-read-only", "no")
    for key in replica.scan_iter():
        if key not in dumped:
            replica.delete(key)
    for key, value in dumped.items():
        replica.restore(key, 0, value, replace=True)


# --8<-- [start:failover]
def fail_over_to_a_replica_that_missed_a_write(
    sentinels: Sentinels, slug: str
) -> list[str]:
    """Warm two views, write, and fail over to a replica that holds what it held before
    the write (as when the primary died before sending it); return the views then read
    differently from the uncached API."""
    reader, paths = sandbox.client("alice-token"), read_paths(slug)
    for path in paths:
        reader.get(path)
    sentinels.wait_in_sync()
    replica = sentinels.replicas[0].client()
    before = {key: replica.dump(key) for key in replica.scan_iter()}

    response = reader.patch(
        f"/api/{slug}/books/1/", {"title": "Lost in failover"}, format="json"
    )
    assert response.status_code == 200
    sentinels.wait_in_sync()
    set_back(replica, before)  # (1)!

    sentinels.kill_primary_and_wait_for_promotion()
    return [path for path in paths if (read := read_both(reader, path))[0] != read[1]]


@pytest.mark.real_redis
@pytest.mark.parametrize("slug", ["versioning", "manual-keys"])
def test_a_failover_that_loses_a_write_makes_old_entries_current(
    fresh_sentinels, cache_on, slug
):
    addresses, service = fresh_sentinels.addresses, fresh_sentinels.service
    cache_on(fresh_sentinels, django_redis_sentinel_cache(addresses, service))
    assert fail_over_to_a_replica_that_missed_a_write(fresh_sentinels, slug)


@pytest.mark.real_redis
@pytest.mark.parametrize("slug", ["versioning", "manual-keys"])
def test_a_failover_that_loses_a_write_serves_nothing_stale(
    fresh_sentinels, cache_on, slug
):
    addresses, service = fresh_sentinels.addresses, fresh_sentinels.service
    cache_on(fresh_sentinels, sentinel_cache(addresses, service))
    assert fail_over_to_a_replica_that_missed_a_write(fresh_sentinels, slug) == []


# --8<-- [end:failover]


@pytest.mark.real_redis
def test_the_api_answers_through_a_failover_and_caches_again_after_it(
    fresh_sentinels, cache_on
):
    addresses, service = fresh_sentinels.addresses, fresh_sentinels.service
    cache_on(fresh_sentinels, sentinel_cache(addresses, service))
    reader, path = sandbox.client("alice-token"), PATHS[0]
    reader.get(path)
    replica = fresh_sentinels.replicas[0]
    fresh_sentinels.primary.kill()  # the sentinels notice, agree and promote meanwhile

    answers = []
    while fresh_sentinels.primary_port() != replica.port or len(answers) < 3:
        cached, fresh = read_both(reader, path)
        answers.append(cached == fresh and cached[0] == 200)
    fresh_sentinels.wait_for_promotion_of(replica)

    assert all(answers)  # every read while the primary was gone: right, and a 200
    reader.get(path)
    assert timing(reader.get(path)).cache == "hit"  # cached on the new primary
    pool = caches["default"].client.get_client(write=True).connection_pool
    assert pool.get_master_address() == ("127.0.0.1", replica.port)


@pytest.mark.real_redis
def test_a_replica_named_the_primary_before_its_promotion_is_not_trusted(replicated):
    """The sentinels name a replica before it has become the primary; it still holds
    its predecessor's replication id, so the epoch check would find itself current."""
    primary = replicated.primary.client()
    primary.set(EPOCH_KEY, primary.info("replication")["master_replid"])
    replicated.wait_in_sync()
    to_the_replica = FailoverAwareConnection(
        connection_pool=SimpleNamespace(is_master=True, check_connection=False)
    )
    with pytest.raises(redis.ConnectionError, match="not a primary yet"):
        to_the_replica.connect_to(("127.0.0.1", replicated.replicas[0].port))
    replicated.flush()
