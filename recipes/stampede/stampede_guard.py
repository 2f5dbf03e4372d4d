# From the DRF caching cookbook 0.8.2 (its CHANGELOG.md says what changed since).
# Supports Django 5.2 LTS (5.2.19+) on Python 3.11+, and Django 6 on Python 3.12+.
"""One computation per cold or expiring entry, however many requests want it at once.

How the protection works:

* **Single flight.** A request that misses takes a lock on the entry (``SET NX`` with a
  lease, through django-redis' ``lock``) before it computes. The others find the lock
  taken and wait for the entry to appear, polling (every ``poll`` seconds at first,
  backing off to ``max_poll`` so that many waiters do not crowd the computation), for at most
  ``wait`` seconds. The lock expires after ``lease`` seconds, so a holder that dies (a
  killed worker, a crash) holds the others back no longer than that: the next poll
  takes the lock over. A request that has waited ``wait`` seconds computes on its own.
* **Serve stale while revalidating.** An entry is kept ``stale_for`` seconds past its
  freshness. A request that finds it stale serves it as it is while one request (the
  one that takes the lock) computes the new one, in its own request: no worker, no
  queue. Nothing older than ``timeout + stale_for`` seconds is ever served: Redis drops
  the entry then, and the read checks the age too.
* **Probabilistic early refresh (XFetch).** Vattani, Chierichetti and Lowenstein,
  "Optimal Probabilistic Cache Stampede Prevention", VLDB 2015: each read of a fresh
  entry refreshes it early with a probability that grows as its expiry nears, scaled by
  how long it took to compute (``delta``) and by ``beta``. A hot entry is usually
  recomputed by one request shortly before it expires, so it never goes cold.
* An entry is ``(value, fresh_until, delta)``; keys are the caller's. Only what
  ``storable`` accepts is stored (for a response: a 200).
* When Redis fails, each request computes its own answer (fail open): no lock can be
  taken, and none is waited for.
* ``StampedeProtectedMixin`` puts all of this under the versioning and signals recipes'
  ``respond_from_cache`` hook: their entries hold the namespace versions they were computed
  under, so after a write every reader misses at once, and single flight makes that one
  computation. A stale entry is never served across a write: an entry of old versions is
  not current, and the guard treats it as absent.
"""

import logging
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import caches
from redis.exceptions import LockError, RedisError
from rest_framework.response import Response

logger = logging.getLogger(__name__)


# --8<-- [start:xfetch]
def refresh_early(
    now: float, fresh_until: float, delta: float, *, beta: float, draw: float
) -> bool:
    """Return whether a read at ``now`` recomputes an entry before it expires (XFetch).

    ``draw`` is uniform in (0, 1]: ``-log(draw)`` is an exponential variable, so the
    chance of an early refresh is small far from expiry and rises to certainty at it.
    """
    return now - delta * beta * math.log(draw) >= fresh_until


# --8<-- [end:xfetch]


# --8<-- [start:guard]
@dataclass(frozen=True)
class Entry:
    value: Any
    fresh_until: float  # seconds since the epoch
    delta: float  # how long the value took to compute, in seconds


@dataclass(frozen=True)
class Ticket:
    """What ``begin`` found: a value to serve, or the duty to compute one.

    ``outcome`` is ``hit``, ``stale`` (served while another request refreshes it),
    ``waited`` (another request computed it), or, when this request must compute,
    ``miss``, ``refresh`` (a stale or expiring entry) or ``late`` (it waited ``wait``
    seconds for another request and computes on its own).
    """

    key: str
    value: Any
    outcome: str
    lock: Any = None
    started: float = 0.0

    @property
    def must_compute(self) -> bool:
        return self.outcome in ("miss", "refresh", "late")


UNSTORABLE = object()  # what a computation returns when its answer must not be cached
NO_LOCK = object()  # a claim Redis could not record
NOT_READ = object()  # no value read under the key yet


class StampedeGuard:
    """Compute each entry once at a time: single flight, stale-while-revalidate, XFetch."""

    def __init__(
        self,
        alias: str = "default",
        *,
        stale_for: float = 30.0,
        lease: float = 10.0,
        wait: float = 5.0,
        poll: float = 0.01,
        max_poll: float = 0.1,
        beta: float = 1.0,
        clock: Callable[[], float] = time.time,
        draw: Callable[[], float] = lambda: 1.0 - random.random(),
    ) -> None:
        self.alias = alias
        self.stale_for = stale_for  # how long past freshness an entry may be served
        self.lease = lease  # how long a lock outlives a holder that died
        self.wait = wait  # how long a request waits for another's computation
        self.poll = poll
        self.max_poll = max_poll
        self.beta = beta  # XFetch's eagerness: above 1 refreshes earlier
        self.clock = clock
        self.draw = draw

    # --8<-- [start:core]
    def get_or_compute(
        self,
        key: str,
        compute: Callable[[], Any],
        *,
        timeout: float,
        current: Callable[[Any], bool] = lambda value: True,
        found: Any = NOT_READ,
    ) -> tuple[Any, str]:
        """Return the value under ``key`` and how it was obtained (``Ticket.outcome``).

        A stored value that ``current`` rejects (one computed before a write, say) is
        treated as absent: it is never served, not even as stale. ``found`` is what the
        caller already read under ``key``, if it did: a hit then costs no second read.
        """
        ticket = self.begin(key, current, found)
        if not ticket.must_compute:
            return ticket.value, ticket.outcome
        try:
            value = compute()
        except BaseException:
            self.abandon(ticket)
            raise
        if value is UNSTORABLE:
            self.abandon(ticket)
        else:
            self.finish(ticket, value, timeout=timeout)
        return value, ticket.outcome

    # --8<-- [end:core]

    def begin(
        self,
        key: str,
        current: Callable[[Any], bool] = lambda value: True,
        found: Any = NOT_READ,
    ) -> "Ticket":
        """Look ``key`` up (unless the caller ``found`` its value already): a value to
        serve, or the duty (and lock) to compute it."""
        entry = (
            self._read(key, current) if found is NOT_READ else usable(found, current)
        )
        now = self.clock()
        if entry is not None and now < entry.fresh_until + self.stale_for:
            fresh = now < entry.fresh_until
            early = fresh and refresh_early(
                now, entry.fresh_until, entry.delta, beta=self.beta, draw=self.draw()
            )
            if fresh and not early:
                return Ticket(key, entry.value, "hit")
            lock = self._claim(key)  # (1)!
            if lock is None:
                return Ticket(key, entry.value, "hit" if fresh else "stale")
            return Ticket(key, None, "refresh", lock=lock, started=now)
        return self._single_flight(key, current)

    def finish(self, ticket: "Ticket", value: Any, *, timeout: float) -> None:
        """Store what ``ticket``'s holder computed, and let the others have it."""
        try:
            finished = self.clock()
            entry = Entry(value, finished + timeout, finished - ticket.started)
            caches[self.alias].set(ticket.key, entry, timeout + self.stale_for)
        except RedisError:  # a cache without IGNORE_EXCEPTIONS: still answer
            logger.warning("Could not store %s; not cached", ticket.key)
        finally:
            self.abandon(ticket)

    def abandon(self, ticket: "Ticket") -> None:
        """Give up ``ticket``'s lock without storing (an error, an unstorable answer)."""
        self._release(ticket.lock)

    def _single_flight(self, key: str, current: Callable[[Any], bool]) -> "Ticket":
        """Take the duty to compute ``key`` if no one has it; else wait for their result."""
        deadline = time.monotonic() + self.wait
        delay = self.poll
        while True:
            lock = self._claim(key)
            if lock is not None:  # (2)!
                entry = self._read(key, current)  # stored between read and lock?
                if entry is not None and self.clock() < entry.fresh_until:
                    self._release(lock)
                    return Ticket(key, entry.value, "waited")
                return Ticket(key, None, "miss", lock=lock, started=self.clock())
            if time.monotonic() >= deadline:  # (3)!
                return Ticket(key, None, "late", started=self.clock())
            time.sleep(delay)
            delay = min(delay * 2, self.max_poll)
            entry = self._read(key, current)
            if entry is not None and self.clock() < entry.fresh_until:
                return Ticket(key, entry.value, "waited")

    def _read(self, key: str, current: Callable[[Any], bool]) -> Entry | None:
        try:
            entry = caches[self.alias].get(key)
        except RedisError:  # a cache without IGNORE_EXCEPTIONS: a miss, not a 500
            logger.warning("Could not read %s; computing it", key)
            return None
        return usable(entry, current)

    def _claim(self, key: str) -> Any:
        """Take the lock on ``key`` without waiting: a lock, ``None`` if taken, or a
        stand-in when Redis cannot say (then every request computes: fail open)."""
        try:
            lock = caches[self.alias].lock(
                f"{key}:lock", timeout=self.lease, blocking=False
            )
            return lock if lock.acquire(blocking=False) else None
        except RedisError:
            logger.warning("Could not lock %s; computing without it", key)
            return NO_LOCK

    @staticmethod
    def _release(lock: Any) -> None:
        if lock is None or lock is NO_LOCK:
            return
        try:
            lock.release()
        except (LockError, RedisError):  # expired and maybe taken over: not ours now
            logger.info("A lock expired before its computation ended")


def usable(entry: Any, current: Callable[[Any], bool]) -> Entry | None:
    """Return ``entry`` if it is the guard's and ``current``, else ``None`` (absent)."""
    return entry if isinstance(entry, Entry) and current(entry.value) else None


# --8<-- [end:guard]


# --8<-- [start:mixin]
class StampedeProtectedMixin:
    """Guard a versioning or signals ViewSet's entries with a ``StampedeGuard``.

    Put it before ``VersionedResponseMixin``; its ``respond_from_cache`` replaces the
    plain get-compute-set.
    """

    stampede_guard: StampedeGuard = StampedeGuard()
    cache_timeout: int

    def respond_from_cache(
        self, key: str, versions: dict, entry: Any, compute: Callable[[], Response]
    ) -> Any:
        computed: list[Response] = []

        def entry_to_store() -> Any:
            response = compute()
            computed.append(response)
            stored = self.entry_for(response, versions)
            return UNSTORABLE if stored is None else stored

        stored, outcome = self.stampede_guard.get_or_compute(
            key,
            entry_to_store,
            timeout=self.cache_timeout,
            current=lambda value: self.is_current(value, versions),  # (1)!
            found=entry,  # read with the versions, in one round trip: not read again
        )
        response = computed[0] if computed else self.replay(stored)
        return report_cache_outcome(response, outcome)


# --8<-- [end:mixin]


# --8<-- [start:responses_mixin]
class StampedeProtectedResponsesMixin:
    """Guard the middleware recipe's rendered-response entries with a ``StampedeGuard``.

    Put it before ``ResponseCacheMixin``: it replaces that mixin's two cache calls,
    ``read_entry`` (in ``initial()``) and ``write_entry`` (once the response is rendered).
    """

    stampede_guard: StampedeGuard = StampedeGuard()
    stampede_ticket: Ticket | None = None

    def read_entry(self, plan: Any) -> Any:
        self.stampede_ticket = self.stampede_guard.begin(plan.key)
        return None if self.stampede_ticket.must_compute else self.stampede_ticket.value

    def write_entry(self, plan: Any, entry: Any) -> None:
        if entry is None:  # not storable: let a waiting request compute its own
            self.stampede_guard.abandon(self.stampede_ticket)
        else:
            self.stampede_guard.finish(
                self.stampede_ticket, entry, timeout=plan.timeout
            )

    def finalize_response(
        self, request: Any, response: Any, *args: Any, **kwargs: Any
    ) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.stampede_ticket is not None:
            report_cache_outcome(response, self.stampede_ticket.outcome)
        return response


# --8<-- [end:responses_mixin]


def report_cache_outcome(response: Response, outcome: str) -> Response:
    """Set the ``cache`` metric of ``Server-Timing`` to ``outcome``.

    Each recipe module carries its own copy of this helper, so that it can be copied alone.
    """
    response["Server-Timing"] = f'cache;desc="{outcome}"'
    return response
