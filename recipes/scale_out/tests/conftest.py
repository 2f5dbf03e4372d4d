"""Each topology as real ``redis-server`` processes of this module's own."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from harness.redis_topology import Cluster, Replicated, Sentinels, Shards, Topology
from recipes.bookshop import sandbox


def started(kind: type[Topology], workdir: Path, **options) -> Iterator[Topology]:
    with kind(workdir, **options) as topology:
        yield topology


@pytest.fixture(scope="module")
def replicated(redis_server, tmp_path_factory) -> Iterator[Replicated]:
    """A primary and one replica (``redis_server`` skips or fails where there is none)."""
    yield from started(Replicated, tmp_path_factory.mktemp("replicated"))


@pytest.fixture(scope="module")
def shards(redis_server, tmp_path_factory) -> Iterator[Shards]:
    yield from started(Shards, tmp_path_factory.mktemp("shards"), count=2)


@pytest.fixture(scope="module")
def cluster(redis_server, tmp_path_factory) -> Iterator[Cluster]:
    yield from started(Cluster, tmp_path_factory.mktemp("cluster"))


@pytest.fixture(scope="module")
def sentinels(redis_server, tmp_path_factory) -> Iterator[Sentinels]:
    """A primary and a replica watched by three sentinels, which no test fails over."""
    yield from sentinels_of_their_own(tmp_path_factory)


@pytest.fixture
def fresh_sentinels(redis_server, tmp_path_factory) -> Iterator[Sentinels]:
    """A primary, replica and sentinels of this test's own, which it may fail over."""
    yield from sentinels_of_their_own(tmp_path_factory)


def sentinels_of_their_own(tmp_path_factory) -> Iterator[Sentinels]:
    workdir = tmp_path_factory.mktemp("sentinels")
    # django-redis keeps a connection pool per LOCATION for the process: a service name
    # per topology keeps each test's pool to its own sentinels.
    yield from started(Sentinels, workdir, service=f"cache-{workdir.name}")


@pytest.fixture
def cache_on(settings, bookshop) -> Callable[[Topology, dict], None]:
    """Return ``cache_on(topology, entry)``: the demo's cache is ``entry``, on an emptied
    ``topology``."""
    used: list[Topology] = []

    def use(topology: Topology, entry: dict) -> None:
        topology.flush()
        settings.CACHES = {"default": entry}
        used.append(topology)

    sandbox.collect_cache_errors()  # a node killed on purpose logs its errors
    yield use
    for topology in used:
        topology.flush()
