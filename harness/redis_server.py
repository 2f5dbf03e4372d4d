"""Start a private ``redis-server`` on a free loopback port: for tests and benchmarks."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RedisServer:
    """A ``redis-server`` process that a test session or a benchmark owns."""

    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


def free_port() -> int:
    """Return a loopback TCP port that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_redis_server(port: int, workdir: Path, *extra: str) -> subprocess.Popen:
    """Start ``redis-server`` on ``port`` with no persistence and wait until it answers;
    ``extra`` are further ``--option value`` arguments."""
    process = subprocess.Popen(
        [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
            *extra,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"redis-server did not answer on port {port} within 10 s")


@contextmanager
def bookshop_on_private_redis(size: str) -> Iterator[int]:
    """Seed the in-memory bookshop with ``size`` data, caching in a private
    ``redis-server``, for a benchmark; yield the server's port."""
    port = free_port()
    with tempfile.TemporaryDirectory() as workdir:
        server = start_redis_server(port, Path(workdir))
        try:
            os.environ["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
            os.environ["DJANGO_DEBUG"] = "0"
            from recipes.bookshop import sandbox

            sandbox.start(size)
            yield port
        finally:
            server.kill()
            server.wait(timeout=10)
