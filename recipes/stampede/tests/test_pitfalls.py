"""The plain cache-aside read under a burst: every request that misses computes."""

import threading
from concurrent.futures import ThreadPoolExecutor

from recipes.stampede.tests.naive import get_or_compute


# --8<-- [start:naive_burst]
def test_forty_concurrent_misses_compute_forty_times_without_a_guard(bookshop):
    runs = []
    all_computing = threading.Barrier(40)

    def compute():
        runs.append(1)
        all_computing.wait(timeout=10)  # passes only if all 40 missed and computed
        return "page"

    with ThreadPoolExecutor(max_workers=40) as pool:
        results = list(pool.map(lambda _: get_or_compute("cold", compute), range(40)))

    assert results == ["page"] * 40
    assert len(runs) == 40


# --8<-- [end:naive_burst]
