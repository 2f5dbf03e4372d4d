"""What one caller's first read stores, per recipe and page: the figures to size Redis by.

``python -m harness.bench memory`` seeds the bookshop on a private ``redis-server`` and, for
each whole-response recipe, on an empty Redis, sends one request as an anonymous caller and
one as alice (by token) to the 50-book list page and to a book's detail; it counts the keys
each wrote (besides the caller's own credentials) and their ``MEMORY USAGE``. On an empty
Redis, a read also writes what later readers share (namespace versions, tag sets): what
each signed-in user adds is the difference between the two columns' shared part and theirs,
their own entry (and, in the versioning family, the version of their favourites).
"""

from .hits import (
    PAGES,
    Measured,
    Requester,
    Target,
    render_floor_bodies,
    what_it_stores,
)

RECIPES = (
    "cache-page",
    "middleware",
    "manual-keys",
    "versioning",
    "signals",
    "tracked",
)
CALLERS = ("anonymous", "alice-token")


def measure() -> list[Measured]:
    requester = Requester()
    render_floor_bodies(requester)  # what_it_stores keeps them across its flushes
    measured = []
    for slug in RECIPES:
        for page, tail in PAGES.items():
            for caller in CALLERS:
                one = Measured(Target(slug, "hit", caller, page, f"/api/{slug}/{tail}"))
                what_it_stores(requester, one)
                measured.append(one)
    return measured


def report(measured: list[Measured]) -> str:
    rows = [
        "| Recipe | Page | Anonymous: keys, bytes | Alice, by token: keys, bytes |",
        "| --- | --- | ---: | ---: |",
    ]
    for slug in RECIPES:
        for page in PAGES:
            cells = [
                next(
                    f"{m.keys_written}, {m.bytes_written:,}"
                    for m in measured
                    if (m.target.name, m.target.page, m.target.caller)
                    == (slug, page, caller)
                )
                for caller in CALLERS
            ]
            rows.append(f"| {slug} | {page} | {cells[0]} | {cells[1]} |")
    return "\n".join(rows)


def run_memory_sizes(size: str) -> str:
    """Measure on a private redis-server with the bookshop's ``size`` data."""
    from .redis_server import bookshop_on_private_redis

    with bookshop_on_private_redis(size):
        return report(measure())
