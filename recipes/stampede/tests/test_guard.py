"""The guard alone: single flight, dead lock holders, stale serving bounds, XFetch."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import cache

from recipes.redis_config.redis_cache import django_redis_cache
from recipes.stampede.stampede_guard import UNSTORABLE, StampedeGuard, refresh_early


class Clock:
    """A wall clock the test moves by hand."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Computation:
    """A computation that counts its runs and can be held until the test lets it go."""

    def __init__(self, value: object = "fresh") -> None:
        self.value = value
        self.runs = 0
        self.release = threading.Event()
        self.release.set()

    def __call__(self) -> object:
        self.runs += 1
        self.release.wait(timeout=10)
        return self.value


# --8<-- [start:single_flight]
def test_forty_concurrent_reads_of_a_cold_key_compute_it_once(bookshop):
    guard = StampedeGuard(wait=10)
    compute = Computation()
    compute.release.clear()  # the first computation waits until every reader has asked
    asked = threading.Barrier(40, action=compute.release.set)

    def read(_: int) -> tuple[object, str]:
        asked.wait(timeout=10)
        return guard.get_or_compute("cold", compute, timeout=60)

    with ThreadPoolExecutor(max_workers=40) as pool:
        results = list(pool.map(read, range(40)))

    assert compute.runs == 1
    assert {value for value, _ in results} == {"fresh"}
    outcomes = sorted(outcome for _, outcome in results)
    assert outcomes.count("miss") == 1
    assert set(outcomes) <= {"miss", "waited", "hit"}


# --8<-- [end:single_flight]


# --8<-- [start:dead_holder]
def test_a_dead_lock_holder_holds_others_back_no_longer_than_its_lease(bookshop):
    dead = cache.lock("cold:lock", timeout=0.3)
    assert dead.acquire(blocking=False)  # taken, and never released

    value, outcome = StampedeGuard(wait=10).get_or_compute(
        "cold", Computation(), timeout=60
    )

    assert (value, outcome) == ("fresh", "miss")  # took the expired lock over
    assert cache.get("cold").value == "fresh"


# --8<-- [end:dead_holder]


def test_a_reader_that_waited_its_bound_computes_on_its_own(bookshop):
    held = cache.lock("cold:lock", timeout=30)
    assert held.acquire(blocking=False)

    value, outcome = StampedeGuard(wait=0.1).get_or_compute(
        "cold", Computation(), timeout=60
    )

    assert (value, outcome) == ("fresh", "late")
    held.release()


# --8<-- [start:stale]
def test_a_stale_entry_is_served_while_one_request_refreshes_it(bookshop):
    clock = Clock()
    guard = StampedeGuard(stale_for=30, clock=clock)
    guard.get_or_compute("page", Computation("old"), timeout=10)
    clock.now += 15  # past its freshness, within the stale bound

    refresher = cache.lock("page:lock", timeout=10)
    assert refresher.acquire(blocking=False)  # another request is refreshing it
    assert guard.get_or_compute("page", Computation("new"), timeout=10) == (
        "old",
        "stale",
    )
    refresher.release()

    assert guard.get_or_compute("page", Computation("new"), timeout=10) == (
        "new",
        "refresh",
    )
    assert guard.get_or_compute("page", Computation("newer"), timeout=10) == (
        "new",
        "hit",
    )


def test_nothing_older_than_timeout_plus_stale_for_is_served(bookshop):
    clock = Clock()
    guard = StampedeGuard(stale_for=30, clock=clock)
    guard.get_or_compute("page", Computation("old"), timeout=10)
    refresher = cache.lock("page:lock", timeout=10)
    assert refresher.acquire(blocking=False)
    clock.now += 40  # exactly the bound: too old to serve

    value, outcome = StampedeGuard(stale_for=30, clock=clock, wait=0.05).get_or_compute(
        "page", Computation("new"), timeout=10
    )

    assert (value, outcome) == ("new", "late")
    refresher.release()


# --8<-- [end:stale]


def test_entries_expire_from_redis_at_timeout_plus_stale_for(bookshop):
    StampedeGuard(stale_for=30).get_or_compute("page", Computation(), timeout=10)
    assert 38 < cache.ttl("page") <= 40


# --8<-- [start:xfetch]
@pytest.mark.parametrize(
    ("seconds_left", "draw", "beta", "early"),
    [
        (100.0, 0.5, 1.0, False),  # far from expiry: -log(0.5) * 1 s is 0.69 s
        (0.5, 0.5, 1.0, True),  # within 0.69 s of it
        (5.0, 0.001, 1.0, True),  # an unlikely draw: -log(0.001) is 6.9
        (5.0, 0.001, 0.5, False),  # a smaller beta refreshes later
        (0.0, 1.0, 1.0, True),  # at expiry, always
    ],
)
def test_xfetch_refreshes_early_with_odds_that_rise_near_expiry(
    seconds_left, draw, beta, early
):
    now = 1_000.0
    assert (
        refresh_early(now, now + seconds_left, delta=1.0, beta=beta, draw=draw) is early
    )


def test_a_read_that_draws_an_early_refresh_recomputes_a_fresh_entry(bookshop):
    clock = Clock()
    draws = iter([0.5, 0.001])  # -log(draw): 0.69, then 6.9

    def two_seconds_of_work():
        clock.now += 2
        return "old"

    guard = StampedeGuard(clock=clock, draw=lambda: next(draws))
    guard.get_or_compute("hot", two_seconds_of_work, timeout=60)
    clock.now += 50  # 10 s left: early when 2 s * -log(draw) reaches 10

    assert guard.get_or_compute("hot", Computation("new"), timeout=60) == (
        "old",
        "hit",
    )
    assert guard.get_or_compute("hot", Computation("new"), timeout=60) == (
        "new",
        "refresh",
    )


# --8<-- [end:xfetch]


def test_an_unstorable_answer_is_returned_and_not_stored(bookshop):
    value, outcome = StampedeGuard().get_or_compute(
        "error", Computation(UNSTORABLE), timeout=60
    )
    assert (value, outcome) == (UNSTORABLE, "miss")
    assert cache.get("error") is None
    assert cache.get("error:lock") is None


@pytest.mark.parametrize("fails_open", [True, False])
def test_with_redis_down_every_read_computes_its_own_answer(
    settings, bookshop, fails_open
):
    settings.CACHES = {
        "default": django_redis_cache("redis://127.0.0.1:1/0", fail_open=fails_open)
    }
    compute = Computation()

    results = [
        StampedeGuard().get_or_compute("k", compute, timeout=60) for _ in range(2)
    ]

    assert results == [("fresh", "miss"), ("fresh", "miss")]
    assert compute.runs == 2
