"""A real Varnish (Debian's ``varnish`` with ``varnish-modules``), on a free loopback port,
in front of a live server, with the cdn recipe's VCL.

``varnishd -F`` runs in the foreground with a work directory of its own, so tests can start
several and kill them; the backend's port is written into a copy of the VCL once the
app's server has one.
"""

import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import pytest
import requests

from .redis_server import free_port

ROOT = Path(__file__).resolve().parent.parent
VCL = ROOT / "recipes" / "cdn" / "varnish.vcl"
XKEY_MODULE = "libvmod_xkey.so"


@dataclass
class Varnish:
    """A ``varnishd`` process and where it answers."""

    base: str
    process: subprocess.Popen
    workdir: Path
    log: TextIO

    def url(self, path: str) -> str:
        return self.base + path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()


def varnish_installed() -> bool:
    """Whether ``varnishd`` and vmod-xkey are both installed."""
    varnishd = shutil.which("varnishd") or (
        "/usr/sbin/varnishd" if Path("/usr/sbin/varnishd").exists() else None
    )
    modules = Path("/usr/lib/x86_64-linux-gnu/varnish/vmods")
    return varnishd is not None and any(modules.glob(XKEY_MODULE))


def require_varnish() -> None:
    """Skip without Varnish and vmod-xkey, except under ``CI=true``: fail there."""
    if varnish_installed():
        return
    message = (
        "varnishd with vmod-xkey is not installed (Debian: varnish varnish-modules)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {message}; .ci/run installs them")
    pytest.skip(message)


def vcl_for(backend_port: int) -> str:
    """The recipe's VCL, with the backend on ``backend_port``."""
    text = VCL.read_text()
    return re.sub(r'\.port = "\d+";', f'.port = "{backend_port}";', text, count=1)


@contextmanager
def varnish_in_front(
    backend_port: int, workdir: Path, port: int | None = None
) -> Iterator[Varnish]:
    """Run Varnish with the recipe's VCL in front of ``backend_port`` (on ``port``, or
    a free one) until the block ends."""
    workdir.mkdir(parents=True, exist_ok=True)
    vcl = workdir / "default.vcl"
    vcl.write_text(vcl_for(backend_port))
    port = port or free_port()
    varnishd = shutil.which("varnishd") or "/usr/sbin/varnishd"
    command = [
        varnishd,
        "-F",
        "-j",
        "none",
        "-a",
        f"127.0.0.1:{port}",
        "-T",
        "none",
        "-n",
        str(workdir / "instance"),
        "-f",
        str(vcl),
        "-s",
        "malloc,32m",
    ]
    log = (workdir / "varnishd.log").open("w")
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    varnish = Varnish(f"http://127.0.0.1:{port}", process, workdir, log)
    try:
        wait_until_varnish_answers(varnish)
        yield varnish
    finally:
        varnish.stop()


def wait_until_varnish_answers(varnish: Varnish, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            answer = requests.request("PURGE", varnish.url("/"), timeout=2)
            if "X-Varnish" in answer.headers:
                return
            # Another server took the port between free_port() and varnishd's bind.
            time.sleep(0.05)
            if varnish.process.poll() is not None or time.monotonic() > deadline:
                log = (varnish.workdir / "varnishd.log").read_text()
                raise RuntimeError(f"another server answers on {varnish.base}: {log}")
        except requests.ConnectionError:
            if varnish.process.poll() is not None:
                log = (varnish.workdir / "varnishd.log").read_text()
                raise RuntimeError(f"varnishd exited: {log}") from None
            if time.monotonic() > deadline:
                raise RuntimeError("Varnish did not answer in time") from None
            time.sleep(0.05)
