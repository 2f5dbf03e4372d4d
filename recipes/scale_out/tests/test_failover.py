"""A primary that dies: the API answers throughout, and nothing stale is current after."""

import pytest
from django.core.cache import caches

from harness.redis_topology import Sentinels
from harness.testing import read_both, timing
from recipes.bookshop import sandbox
from recipes.scale_out.redis_topologies import sentinel_cache

from .naive import django_redis_sentinel_cache

PATHS = ["/api/versioning/books/", "/api/versioning/books/1/"]


# --8<-- [start:failover]
def lose_the_last_bump_in_a_failover(sentinels: Sentinels) -> list[str]:
    """Warm two views, write, and fail over to a replica that lacks the write's bump (as
    when the primary died before sending it); return the views then read stale."""
    reader = sandbox.client("alice-token")
    for path in PATHS:
        reader.get(path)
    replica = sentinels.replicas[0].client()
    before = {key: replica.dump(key) for key in replica.scan_iter(match="*ns:*")}

    response = reader.patch(
        "/api/versioning/books/1/", {"title": "Lost in failover"}, format="json"
    )
    assert response.status_code == 200
    sentinels.wait_in_sync()
    replica.config_set("replica-read-only", "no")
    for key, dumped in before.items():  # (1)!
        replica.restore(key, 0, dumped, replace=True)

    sentinels.kill_primary_and_wait_for_promotion()
    return [path for path in PATHS if (read := read_both(reader, path))[0] != read[1]]


@pytest.mark.real_redis
def test_a_failover_that_loses_a_bump_makes_the_old_entries_current(
    fresh_sentinels, cache_on
):
    cache_on(
        fresh_sentinels,
        django_redis_sentinel_cache(fresh_sentinels.addresses, fresh_sentinels.service),
    )
    assert lose_the_last_bump_in_a_failover(fresh_sentinels) == PATHS


@pytest.mark.real_redis
def test_a_failover_that_loses_a_bump_serves_nothing_stale(fresh_sentinels, cache_on):
    cache_on(
        fresh_sentinels,
        sentinel_cache(fresh_sentinels.addresses, fresh_sentinels.service),
    )
    assert lose_the_last_bump_in_a_failover(fresh_sentinels) == []


@pytest.mark.real_redis
def test_the_api_answers_through_a_failover_and_caches_again_after_it(
    fresh_sentinels, cache_on
):
    cache_on(
        fresh_sentinels,
        sentinel_cache(fresh_sentinels.addresses, fresh_sentinels.service),
    )
    reader, path = sandbox.client("alice-token"), PATHS[0]
    reader.get(path)
    replica = fresh_sentinels.replicas[0]
    fresh_sentinels.primary.kill()  # the sentinels notice, agree and promote meanwhile

    answers = []
    while fresh_sentinels.primary_port() != replica.port or len(answers) < 3:
        cached, fresh = read_both(reader, path)
        answers.append(cached == fresh and cached[0] == 200)
    fresh_sentinels.wait_for_promotion_of(replica)

    assert all(answers)  # every read while the primary was gone, right, and a 200
    reader.get(path)
    assert timing(reader.get(path)).cache == "hit"  # cached on the new primary
    assert caches["default"].client.get_client(
        write=True
    ).connection_pool.get_master_address() == (
        "127.0.0.1",
        replica.port,
    )


# --8<-- [end:failover]
