# From the DRF caching cookbook 0.8.2 (its CHANGELOG.md says what changed since).
# Supports Django 5.2 LTS (5.2.19+) on Python 3.11+, and Django 6 on Python 3.12+.
"""``CACHES`` entries for more than one Redis: replicas, client-side shards, Redis Cluster
and Sentinel, each keeping what the cookbook's invalidating recipes promise.

What each configuration does, and why:

* **Replicas** (``replicated_cache``): django-redis writes to the first server and reads
  from the others. A replica applies the primary's writes a little later, so a read right
  after a write may see the value from before it: an old namespace version, a tag set whose
  entries were already deleted, a token that was revoked. ``PrimaryReadsClient`` reads
  from the primary every key that matches ``PRIMARY_READS`` (versions, hash-tagged tag
  sets and their entries, credentials); everything else, such as a versioned entry whose
  versions came from the primary, is read from a replica.
* **Shards** (``sharded_cache``): django-redis's ``ShardClient`` hashes each key to one
  server. Keys with a ``{hash tag}`` go to the server of their tag, so a recipe's script
  and its reads meet on one server; ``redis_for(alias, key)`` gives recipes that server.
* **Redis Cluster** (``cluster_cache``): django-redis does not ship a cluster client;
  redis-py's ``RedisCluster`` (maintained with redis-py itself) plugs into django-redis as
  a connection factory. A ``get_many`` across slots is split per node; a script or a
  transaction must keep its keys in one slot, which the recipes' hash tags do. A cluster
  that cannot answer (a node down, slots uncovered) fails open like one Redis does.
* **Sentinel** (``sentinel_cache``): a primary and replicas watched by sentinels, which
  promote a replica when the primary dies. Replication is asynchronous: a bump or a delete
  the old primary acknowledged may never reach the replica that replaces it, and then an
  old entry is current again. ``FailoverAwareConnection`` compares the primary it
  connects to with the one the cache was last written through; a primary that changed
  empties the cache before its first command. A failover costs one cold cache, never a
  stale read.
* Every configuration keeps the redis-config recipe's bounded timeouts and failing open.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import urlparse

from django.core.cache import caches
from django_redis.client import DefaultClient, SentinelClient
from django_redis.exceptions import ConnectionInterrupted
from django_redis.pool import ConnectionFactory
from redis.backoff import NoBackoff
from redis.cluster import ClusterNode, RedisCluster
from redis.crc import key_slot
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisClusterException
from redis.retry import Retry
from redis.sentinel import SentinelManagedConnection

logger = logging.getLogger(__name__)

#: The keys the cookbook's recipes invalidate by writing them, read from the primary.
RECIPE_PRIMARY_READS = (
    "ns:*",  # namespace versions (versioning, signals, conditional, stampede)
    "{*",  # hash-tagged tag sets, their entries and counters (manual keys, fields)
    "auth:*",  # cached credentials, ended by a delete (auth cache)
)
MODULE = __name__


def timeouts(connect: float, read: float) -> dict[str, Any]:
    """The bounded timeouts and failing open of the redis-config recipe."""
    return {
        "SOCKET_CONNECT_TIMEOUT": connect,
        "SOCKET_TIMEOUT": read,
        "IGNORE_EXCEPTIONS": True,
    }


def bounded(connect: float, read: float) -> dict[str, Any]:
    """redis-py connection options that give up within one timeout: redis-py retries a
    failed command three times, with back-off, by default."""
    return {
        "socket_connect_timeout": connect,
        "socket_timeout": read,
        "retry": Retry(NoBackoff(), 0),
    }


# --8<-- [start:replicas]
def replicated_cache(
    primary: str,
    replicas: Iterable[str],
    *,
    primary_reads: Iterable[str] = RECIPE_PRIMARY_READS,
    connect_timeout: float = 0.5,
    read_timeout: float = 0.5,
) -> dict[str, Any]:
    """A primary for writes, replicas for reads, and the primary for ``primary_reads``."""
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": [primary, *replicas],  # the first one takes the writes
        "OPTIONS": {
            "CLIENT_CLASS": f"{MODULE}.PrimaryReadsClient",
            "PRIMARY_READS": list(primary_reads),  # (1)!
            **timeouts(connect_timeout, read_timeout),
        },
    }


# --8<-- [start:core]
class PrimaryReadsMixin:
    """Read the keys that match ``OPTIONS["PRIMARY_READS"]`` from the primary."""

    _options: dict[str, Any]

    def reads_from_primary(self, key: Any) -> bool:
        patterns = self._options.get("PRIMARY_READS", ())
        return any(fnmatchcase(str(key), pattern) for pattern in patterns)

    def get(
        self, key: Any, default: Any = None, version: Any = None, client: Any = None
    ) -> Any:
        if client is None and self.reads_from_primary(key):
            client = self.get_client(write=True)
        return super().get(key, default, version, client)

    # --8<-- [end:core]

    def get_many(
        self, keys: Collection[Any], version: Any = None, client: Any = None
    ) -> dict[Any, Any]:
        if client is not None:
            return super().get_many(keys, version, client)
        primary, rest = [], []
        for key in keys:
            (primary if self.reads_from_primary(key) else rest).append(key)
        found: dict[Any, Any] = {}
        if primary:  # (2)!
            found |= super().get_many(primary, version, self.get_client(write=True))
        if rest:
            found |= super().get_many(rest, version)
        return found

    def has_key(self, key: Any, version: Any = None, client: Any = None) -> bool:
        if client is None and self.reads_from_primary(key):
            client = self.get_client(write=True)
        return super().has_key(key, version, client)


class PrimaryReadsClient(PrimaryReadsMixin, DefaultClient):
    """django-redis's client, reading invalidated keys from the primary."""


# --8<-- [end:replicas]


# --8<-- [start:shards]
def sharded_cache(
    urls: Iterable[str], *, connect_timeout: float = 0.5, read_timeout: float = 0.5
) -> dict[str, Any]:
    """Each key on one of ``urls``, chosen by the key's hash tag, or else the whole key."""
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": list(urls),
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.ShardClient",
            **timeouts(connect_timeout, read_timeout),
        },
    }


def redis_for(alias: str, key: str) -> Any:
    """The Redis connection that holds ``key`` (made with ``make_key``), for a script.

    ``ShardClient`` keeps one server per key and has no single connection to give; every
    other client writes through one primary, or routes each command itself (Cluster).
    """
    client = caches[alias].client
    if hasattr(client, "get_server"):
        return client.get_server(key)
    return client.get_client(write=True)


# --8<-- [end:shards]


# --8<-- [start:cluster]
def cluster_cache(
    urls: Iterable[str], *, connect_timeout: float = 0.5, read_timeout: float = 0.5
) -> dict[str, Any]:
    """A Redis Cluster, found from any of ``urls``, through redis-py's ``RedisCluster``."""
    urls = list(urls)
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": urls[0],
        "OPTIONS": {
            "CONNECTION_FACTORY": f"{MODULE}.ClusterConnectionFactory",  # (1)!
            "CLUSTER_NODES": urls[1:],  # where else to start, if that one is down
            **timeouts(connect_timeout, read_timeout),
        },
    }


class CacheCluster(RedisCluster):
    """``RedisCluster`` as django-redis's client calls it: ``mget`` may span slots, and a
    cluster that cannot be reached raises redis-py's ``ConnectionError``, which
    django-redis (and the recipes) treat as Redis being down."""

    def mget(self, *keys: Any) -> list[Any]:
        return self.mget_nonatomic(*keys)  # (2)!

    def execute_command(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().execute_command(*args, **kwargs)
        except RedisClusterException as unreachable:
            raise RedisConnectionError(str(unreachable)) from unreachable


class ClusterUnreachable(ConnectionInterrupted, RedisConnectionError):
    """No node answered while the cluster client was made: django-redis ignores this as a
    lost connection (``IGNORE_EXCEPTIONS``), and code that catches redis-py's
    ``ConnectionError`` catches it too."""


class ClusterConnectionFactory(ConnectionFactory):
    """django-redis's connection factory, making one ``CacheCluster`` per cache."""

    def connect(self, url: str) -> CacheCluster:
        nodes = [urlparse(node) for node in [url, *self.options["CLUSTER_NODES"]]]
        try:
            return CacheCluster(
                startup_nodes=[ClusterNode(node.hostname, node.port) for node in nodes],
                socket_timeout=self.options.get("SOCKET_TIMEOUT"),
                socket_connect_timeout=self.options.get("SOCKET_CONNECT_TIMEOUT"),
                retry=Retry(NoBackoff(), 1),  # (3)!
            )
        except RedisClusterException as unreachable:
            error = RedisConnectionError(str(unreachable))
            error.__cause__ = unreachable
            raise ClusterUnreachable(None) from error  # (4)!

    def disconnect(self, connection: Any) -> None:
        connection.close()


# --8<-- [end:cluster]


# --8<-- [start:sentinel]
def sentinel_cache(
    sentinels: Iterable[tuple[str, int]],
    service: str,
    *,
    primary_reads: Iterable[str] = RECIPE_PRIMARY_READS,
    connect_timeout: float = 0.5,
    read_timeout: float = 0.5,
) -> dict[str, Any]:
    """The primary ``sentinels`` name for ``service``, its replicas for other reads."""
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": f"redis://{service}/0",  # a service name, not a host
        "OPTIONS": {
            "CLIENT_CLASS": f"{MODULE}.PrimaryReadsSentinelClient",
            "CONNECTION_FACTORY": "django_redis.pool.SentinelConnectionFactory",
            "SENTINELS": list(sentinels),
            "SENTINEL_KWARGS": bounded(connect_timeout, read_timeout),
            "CONNECTION_POOL_KWARGS": {
                "connection_class": FailoverAwareConnection,  # (1)!
                **bounded(connect_timeout, read_timeout),
            },
            "PRIMARY_READS": list(primary_reads),
            **timeouts(connect_timeout, read_timeout),
        },
    }


class PrimaryReadsSentinelClient(PrimaryReadsMixin, SentinelClient):
    """django-redis's Sentinel client, reading invalidated keys from the primary."""


EPOCH_KEY = "scale-out:primary"  # which primary the cache was last written through


class FailoverAwareConnection(SentinelManagedConnection):
    """A connection to the primary that empties the cache if the primary changed.

    Each primary has a replication id, and a promoted replica takes a new one. The id of
    the primary the cache was written through is kept in the cache itself: a connection
    that finds another one there (or none) is talking to a primary that may have lost
    writes, and empties it before anything is read.
    """

    def connect_to(self, address: tuple[str, int]) -> None:
        super().connect_to(address)  # connected, authenticated, its database selected
        if self.connection_pool.is_master:
            self.empty_if_primary_changed()

    def empty_if_primary_changed(self) -> None:
        self.send_command("INFO", "replication")
        replication = parse_info(self.read_response())
        if replication["role"] != "master":  # (2)!
            raise RedisConnectionError(f"{self.host}:{self.port} is not a primary yet")
        current = replication["master_replid"]
        self.send_command("GET", EPOCH_KEY)
        written_through = self.read_response()
        if written_through is not None and written_through.decode() == current:
            return
        logger.warning(
            "Redis primary %s:%s is new to this cache (replication id %s): emptying "
            "it, since it may lack writes its predecessor acknowledged",
            self.host,
            self.port,
            current,
        )
        self.send_command("FLUSHDB")  # (3)!
        self.read_response()
        self.send_command("SET", EPOCH_KEY, current)
        self.read_response()


def parse_info(raw: bytes) -> dict[str, str]:
    """Parse the text of an ``INFO`` section into its fields."""
    fields = (line.split(":", 1) for line in raw.decode().splitlines())
    return {pair[0]: pair[1] for pair in fields if len(pair) == 2}


# --8<-- [end:sentinel]


def describe(alias: str = "default") -> dict[str, Any]:
    """Where ``alias``'s cache reads and writes: its client, servers and primary reads."""
    cache = caches[alias]
    client = cache.client
    options = getattr(client, "_options", {})
    servers = getattr(client, "_server", [])
    return {
        "client": type(client).__name__,
        "servers": list(servers) if isinstance(servers, list | tuple) else [servers],
        "cluster_nodes": options.get("CLUSTER_NODES", []),
        "sentinels": [f"{host}:{port}" for host, port in options.get("SENTINELS", [])],
        "primary_reads": list(options.get("PRIMARY_READS", [])),
    }


def route(alias: str, key: str) -> dict[str, Any]:
    """Where ``key`` of ``alias``'s cache is written and read, and its hash slot."""
    cache = caches[alias]
    client = cache.client
    stored = cache.make_key(key)
    reads_primary = getattr(client, "reads_from_primary", lambda _: True)(key)
    if hasattr(client, "get_server_name"):
        server = client.get_server_name(stored)
        where = {"writes": server, "reads": server}
    else:
        reads = "primary" if reads_primary or len(client._server) < 2 else "replica"
        where = {"writes": "primary", "reads": reads}
    return {"key": key, "stored_as": stored, "slot": key_slot(stored.encode()), **where}
