"""The mixed workload through a shared cache: the cdn recipe's pages behind a real Varnish.

``python -m harness.bench shared-cache`` serves the demo with the ``bench`` data under
gunicorn, with a Varnish in front (the recipe's VCL) that the app purges once each write
commits, and sends the workload's traffic (Zipf reads of list pages and details, a few
percent of title edits) twice per round: to the app alone, and through Varnish. Most
readers are anonymous, as on a public API; alice and bob read by token, and Varnish passes
them to the app. Each round through Varnish starts from an empty cache (a new varnishd).

It reports requests per second next to the app alone's, the share of reads Varnish answered
from its cache (``X-Cache``), and, once the delayed purge has gone, how many reads of the
most-read URLs, as every caller, differ from what the uncached API answers.
"""

import tempfile
import time
from functools import partial
from pathlib import Path

import requests

from .redis_server import free_port
from .traffic import Caller, LiveServer, live_server
from .varnish import Varnish, varnish_in_front
from .workload import Reads, Run, Target, send_traffic

SHARED_KINDS = ("anonymous",) * 6 + ("alice-token", "bob-token")
PREFIX = "/api/cdn/"
# The second purge, after a page that was rendering when a write landed.
PURGE_DELAY = 0.5
APP_ALONE = Target("the app alone (cdn views, no shared cache)", PREFIX)
THROUGH_VARNISH = Target("through Varnish", PREFIX)


def varnish_outcome(response: requests.Response) -> str:
    """A read Varnish answered from its cache is a hit; writes are neither."""
    if response.request.method != "GET":
        return "none"
    return "hit" if response.headers.get("X-Cache") == "HIT" else "miss"


def rows(response: requests.Response) -> object:
    """What a page shows, without its links (which name the host it was asked of)."""
    body = response.json()
    return body["results"] if isinstance(body, dict) and "results" in body else body


def count_stale(
    app: LiveServer, varnish: Varnish, reads: Reads, most_read: int = 10
) -> int:
    """Read the most-read URLs through Varnish as every caller; count the answers whose
    data differ from what the uncached API, asked directly, answers now."""
    stale = 0
    for kind in dict.fromkeys(SHARED_KINDS):
        through, direct = Caller(varnish, kind), Caller(app, kind)
        for path in reads.paths[:most_read]:
            fresh = rows(direct.get(f"/api/uncached/{path}"))
            stale += rows(through.get(PREFIX + path)) != fresh
    return stale


def measure_shared_workload(
    app: LiveServer,
    varnish_port: int,
    workdir: Path,
    reads: Reads,
    *,
    clients: int,
    each: int,
    rounds: int,
) -> list[Run]:
    """Run the app alone and Varnish in turn, ``rounds`` times in alternating order."""
    runs = {target.label: Run(target) for target in (APP_ALONE, THROUGH_VARNISH)}
    backend = int(app.base.rsplit(":", 1)[1])
    traffic = partial(
        send_traffic, reads=reads, clients=clients, each=each, kinds=SHARED_KINDS
    )
    for number in range(rounds):
        order = [APP_ALONE, THROUGH_VARNISH][:: 1 if number % 2 == 0 else -1]
        for target in order:
            run, label = runs[target.label], f"{target.label} {number}"
            if target is APP_ALONE:
                traffic(app, run, label=label)
                continue
            fresh_cache = workdir / f"varnish-{number}"
            with varnish_in_front(backend, fresh_cache, varnish_port) as varnish:
                traffic(varnish, run, label=label, outcome=varnish_outcome)
                if number == rounds - 1:
                    time.sleep(PURGE_DELAY * 2)  # the delayed purges have gone
                    run.stale = count_stale(app, varnish, reads)
    return list(runs.values())


def table(runs: list[Run]) -> str:
    alone, through = runs
    lines = [
        "| Target | Requests per second | Of the app alone's | Reads from the shared "
        "cache | Stale reads after the purges | Errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in runs:
        ratio = run.hit_ratio
        lines.append(
            f"| {run.target.label} | {run.per_second:,.0f} "
            f"| {run.per_second / alone.per_second:.0%} "
            f"| {'' if ratio is None or run is alone else f'{ratio:.0%}'} "
            f"| {'' if run.stale is None else run.stale} | {len(run.errors)} |"
        )
    speedup = through.per_second / alone.per_second
    lines.append(
        f"\nThrough Varnish, the API answered {speedup:.1f} times the requests per second "
        f"of the app alone, {through.hit_ratio or 0:.0%} of the reads from Varnish's "
        f"cache, and {through.stale} stale reads once the delayed purges had gone."
    )
    return "\n".join(lines)


def run_shared_workload(
    size: str, clients: int = 8, each: int = 150, rounds: int = 2
) -> str:
    varnish_port = free_port()
    env = {
        "SHARED_CACHE_PURGE_URL": f"http://127.0.0.1:{varnish_port}/",
        "SHARED_CACHE_PURGE_DELAY": str(PURGE_DELAY),
    }
    with (
        tempfile.TemporaryDirectory() as workdir,
        live_server(Path(workdir), None, size=size, server_env=env) as app,
    ):
        runs = measure_shared_workload(
            app,
            varnish_port,
            Path(workdir),
            Reads.over(app),
            clients=clients,
            each=each,
            rounds=rounds,
        )
    return table(runs)
