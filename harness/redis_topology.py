"""Real multi-node Redis on loopback: a primary with replicas, independent shards, a Redis
Cluster and a Sentinel-watched primary, each as ``redis-server`` processes of its own.

Every topology is a context manager that starts its processes on free ports, waits until
they agree (replicas in sync, cluster slots covered, sentinels watching), and kills them on
exit. The methods are what the scale-out tests do to a topology: stop a replica from
applying its primary's writes (a lagging replica, made deterministic), kill a node, kill a
primary and wait for its replica's promotion.
"""

from __future__ import annotations

import random
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import redis
from redis.sentinel import Sentinel

from .redis_server import RedisServer, free_port, start_redis_server

HOST = "127.0.0.1"


def wait_until(condition: Callable[[], bool], what: str, within: float = 20.0) -> None:
    """Poll ``condition`` until it holds; raise naming ``what`` if it does not in time."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except redis.RedisError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{what}: not within {within:.0f} s")


@dataclass(frozen=True)
class Node(RedisServer):
    """One ``redis-server`` process of a topology, which a test may kill."""

    def client(self) -> redis.Redis:
        return redis.Redis(HOST, self.port, socket_timeout=5)

    def kill(self) -> None:
        """Kill the process at once, as a crash would (nothing is saved or handed over)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def start_node(workdir: Path, *extra: str, cluster_bus: bool = False) -> Node:
    """Start a node; a replica's first sync starts at once (Redis waits 5 s by default,
    for more replicas to join it)."""
    port = free_cluster_port() if cluster_bus else free_port()
    node_dir = workdir / str(port)
    node_dir.mkdir()
    extra = ("--repl-diskless-sync-delay", "0", *extra)
    return Node(port, start_redis_server(port, node_dir, *extra))


def free_cluster_port() -> int:
    """A free port whose cluster bus port (10000 above it) is free and valid too."""
    for _ in range(100):
        port = random.randrange(20_000, 50_000)
        if all(is_free(candidate) for candidate in (port, port + 10_000)):
            return port
    raise RuntimeError("no free pair of ports for a cluster node")


def is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
        return True


@dataclass
class Topology:
    """Processes started together and killed together."""

    workdir: Path
    nodes: list[Node] = field(default_factory=list)

    def __enter__(self) -> Topology:
        self.workdir.mkdir(parents=True, exist_ok=True)
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        for node in self.nodes:
            node.kill()

    def flush(self) -> None:
        """Empty every live primary (between tests); replicas follow their primary."""
        for node in self.nodes:
            if node.process.poll() is None:
                client = node.client()
                if client.info("replication")["role"] == "master":
                    client.flushall()


@dataclass
class Replicated(Topology):
    """A primary and ``replica_count`` replicas of it."""

    replica_count: int = 1

    @property
    def primary(self) -> Node:
        return self.nodes[0]

    @property
    def replicas(self) -> list[Node]:
        return self.nodes[1:]

    def start(self) -> None:
        self.nodes.append(start_node(self.workdir))
        for _ in range(self.replica_count):
            self.nodes.append(
                start_node(self.workdir, "--replicaof", HOST, str(self.primary.port))
            )
        self.wait_in_sync()

    def wait_in_sync(self) -> None:
        """Wait until every replica has applied everything the primary has written."""

        def in_sync() -> bool:
            offset = self.primary.client().info("replication")["master_repl_offset"]
            for replica in self.replicas:
                info = replica.client().info("replication")
                if info.get("master_link_status") != "up":
                    return False
                if info["slave_repl_offset"] < offset:
                    return False
            return True

        wait_until(in_sync, "replicas in sync with their primary")

    def pause_replication(self) -> None:
        """Stop every replica applying the primary's writes: it keeps answering reads with
        what it had, as a replica far behind does."""
        for replica in self.replicas:
            replica.client().replicaof("NO", "ONE")
            replica.client().config_set("replica-read-only", "yes")

    def resume_replication(self) -> None:
        for replica in self.replicas:
            replica.client().replicaof(HOST, self.primary.port)
        self.wait_in_sync()


@dataclass
class Shards(Topology):
    """``count`` independent servers, for client-side sharding."""

    count: int = 2

    def start(self) -> None:
        self.nodes.extend(start_node(self.workdir) for _ in range(self.count))

    @property
    def urls(self) -> list[str]:
        return [node.url for node in self.nodes]


@dataclass
class Cluster(Topology):
    """A Redis Cluster of ``primaries`` primaries (slots assigned by ``redis-cli``)."""

    primaries: int = 3

    def start(self) -> None:
        for _ in range(self.primaries):
            self.nodes.append(
                start_node(
                    self.workdir,
                    "--cluster-enabled",
                    "yes",
                    "--cluster-node-timeout",
                    "1000",
                    "--cluster-config-file",
                    "nodes.conf",
                    cluster_bus=True,
                )
            )
        subprocess.run(
            [
                shutil.which("redis-cli") or "redis-cli",
                "--cluster",
                "create",
                *(f"{HOST}:{node.port}" for node in self.nodes),
                "--cluster-yes",
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        wait_until(self.is_ok, "every cluster node reports cluster_state:ok")

    def is_ok(self) -> bool:
        return all(
            node.client().cluster("info")["cluster_state"] == "ok"
            for node in self.nodes
            if node.process.poll() is None
        )

    @property
    def urls(self) -> list[str]:
        return [node.url for node in self.nodes]

    def node_of(self, key: str) -> Node:
        """The node that serves ``key``'s slot."""
        client = self.nodes[0].client()
        slot = client.cluster("keyslot", key)
        for start, end, (_, port, *_), *_ in client.execute_command("CLUSTER SLOTS"):
            if start <= slot <= end:
                return next(node for node in self.nodes if node.port == port)
        raise LookupError(f"no node serves slot {slot}")


@dataclass
class Sentinels(Replicated):
    """A primary and a replica, watched by three sentinels that fail over in about a
    second when the primary stops answering."""

    service: str = "cache"
    sentinels: list[Node] = field(default_factory=list)

    def start(self) -> None:
        primary = start_node(self.workdir)
        replica = start_node(self.workdir, "--replicaof", HOST, str(primary.port))
        self.nodes += [primary, replica]
        for _ in range(3):
            self.sentinels.append(self.start_sentinel(primary.port))
        self.wait_in_sync()
        wait_until(self.sentinels_agree, "three sentinels watching primary and replica")

    def start_sentinel(self, primary_port: int) -> Node:
        port = free_port()
        config = self.workdir / f"sentinel-{port}.conf"
        config.write_text(
            f"port {port}\nbind {HOST}\ndir {self.workdir}\n"
            f"sentinel monitor {self.service} {HOST} {primary_port} 2\n"
            f"sentinel down-after-milliseconds {self.service} 400\n"
            f"sentinel failover-timeout {self.service} 2000\n"
            f"sentinel parallel-syncs {self.service} 1\n"
        )
        process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", str(config), "--sentinel"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        node = Node(port, process)
        wait_until(lambda: node.client().ping(), f"sentinel on port {port}")
        return node

    @property
    def addresses(self) -> list[tuple[str, int]]:
        return [(HOST, sentinel.port) for sentinel in self.sentinels]

    def sentinels_agree(self) -> bool:
        return all(
            len(s.client().sentinel_slaves(self.service)) == 1
            and len(s.client().sentinel_sentinels(self.service)) == 2
            for s in self.sentinels
        )

    def primary_port(self) -> int:
        """The primary's port, as the sentinels report it."""
        _, port = (
            self.sentinels[0].client().sentinel_get_master_addr_by_name(self.service)
        )
        return int(port)

    def names_healthy(self, sentinel: Node, node: Node) -> bool:
        """Whether ``sentinel`` names ``node`` the primary and sees it up, which is
        what redis-py's ``Sentinel.discover_master`` accepts."""
        state = sentinel.client().sentinel_master(self.service)
        accepted = Sentinel([]).check_master_state(state, self.service)
        return int(state["port"]) == node.port and accepted

    def kill_primary_and_wait_for_promotion(self) -> Node:
        """Kill the primary; return its replica once the sentinels have promoted it and
        it accepts writes."""
        self.primary.kill()
        return self.wait_for_promotion_of(self.replicas[0])

    def wait_for_promotion_of(self, replica: Node) -> Node:
        """Wait until every sentinel names ``replica`` a healthy primary, as a client
        asks them (any sentinel a client reaches first must agree), and it accepts
        writes."""
        wait_until(
            lambda: (
                all(
                    self.names_healthy(sentinel, replica) for sentinel in self.sentinels
                )
                and replica.client().info("replication")["role"] == "master"
            ),
            "the replica promoted by the sentinels",
        )
        self.nodes = [replica, *(node for node in self.nodes if node is not replica)]
        return replica

    def stop(self) -> None:
        for sentinel in self.sentinels:
            sentinel.kill()
        super().stop()
