"""``python -m recipes.stampede``: the recipe's story, on an in-memory bookshop.

Threads stand in for concurrent requests: one computation guarded, forty readers.
"""

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from recipes.bookshop import sandbox

BOOKS = "/api/stampede/books/"


def burst(read: Callable[[], object], readers: int = 40) -> list:
    """Run ``read`` from ``readers`` threads released together."""
    together = threading.Barrier(readers)

    def one(_: int) -> object:
        together.wait(timeout=10)
        return read()

    with ThreadPoolExecutor(max_workers=readers) as pool:
        return list(pool.map(one, range(readers)))


def main() -> None:
    sandbox.start()
    from recipes.stampede.stampede_guard import StampedeGuard
    from recipes.stampede.tests.naive import get_or_compute

    runs = []

    def page() -> str:
        runs.append(1)
        time.sleep(0.05)  # a page that takes 50 ms to build
        return "page"

    print("Forty readers of one cold key, cache-aside as found in the wild:")
    burst(lambda: get_or_compute("naive", page))
    print(f"  the page was built {len(runs)} times")

    runs.clear()
    print("\nThe same forty, through the guard (single flight):")
    outcomes = [
        outcome
        for _, outcome in burst(
            lambda: StampedeGuard().get_or_compute("guarded", page, timeout=60)
        )
    ]
    print(
        f"  the page was built {len(runs)} time(s); outcomes: "
        f"{ {o: outcomes.count(o) for o in sorted(set(outcomes))} }"
    )

    print("\nThe guarded API: a write moves the key; the next reader misses once:")
    alice = sandbox.client("alice-token")
    sandbox.tell("alice, first request", alice, "GET", BOOKS)
    sandbox.tell("alice, second request", alice, "GET", BOOKS)
    sandbox.tell(
        "alice renames book 1", alice, "PATCH", f"{BOOKS}1/", {"title": "Renamed"}
    )
    sandbox.tell("alice reads the list", alice, "GET", BOOKS)


if __name__ == "__main__":
    main()
