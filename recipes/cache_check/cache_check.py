# Copied from the DRF caching cookbook 0.8.2 (recipes/cache_check/cache_check.py).
# Supports Django 5.2 LTS (5.2.19+) on Python 3.11+, and Django 6 on Python 3.12+.
"""Is my cache right? A check of a DRF API against itself, cached and with caching bypassed.

From the project's own OpenAPI schema, schemathesis generates chains of requests with valid
bodies (create, read, update, read, delete, read), following the links it finds between the
operations. After every GET that answers 200, and after every write, each caller asks
the GETs read so far twice: as the cache answers them, and with every cache bypassed. A
difference fails the test, with where the bodies differ, both bodies, and the shortest
sequence of requests found that still produces it (``shrink``).

What it catches: a stale read after any write the schema exposes or that a registered
callable makes (a management command, a bulk ``update()``); one caller's data in another's
response; a response that a shared cache may store, whose body differs between callers on
a request header its ``Vary`` does not name.

What it cannot see: data changed by other systems, and time. Entries of a recipe that only
expires them are stale after a write by design: ``accept_stale=True`` accepts a cached body
that the same caller was answered earlier for the same request, and fails any other.

Use it in a test (pytest, with pytest-django)::

    test_the_cache_is_right = cache_check_test("/api/schema/", callers="cache_callers")
"""

import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NoReturn
from uuid import uuid4

import hypothesis
import pytest
import schemathesis
from django.conf import settings
from django.core.cache import caches
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import TestCase, override_settings
from hypothesis import strategies as st
from hypothesis.stateful import get_state_machine_test, rule
from schemathesis.core import NOT_SET
from schemathesis.generation.feedback import NO_FEEDBACK

SHOWN = 600  # characters of each body a failure shows
READ_AGAIN = 6  # GETs read again after each write: the most recent
SENT = 120  # characters of each request body a failure shows
MAX_SEEDS = 10  # seeds tried before a check stops short of its scenarios


@dataclass(frozen=True)
class Caller:
    """Who sends a request: a name for reports, and the headers and cookies that say
    who it is (``{"Authorization": "Token ..."}``, ``{"sessionid": "..."}``)."""

    name: str
    headers: Mapping[str, str] = field(default_factory=dict)
    cookies: Mapping[str, str] = field(default_factory=dict)

    def sends(self) -> dict[str, Any]:
        return {"headers": dict(self.headers), "cookies": dict(self.cookies)}


# --8<-- [start:core]
@contextmanager
def caches_bypassed() -> Iterator[None]:
    """Every cache alias under a key prefix that no entry was ever written with, for the
    duration: each read misses, and the API answers as it does with nothing cached.

    A test-only switch: it changes the settings of this process, inside the test, and
    no request a client sends can turn it on.
    """
    prefix = f"cache-check-{uuid4().hex}"
    bypassed = {
        alias: {**options, "KEY_PREFIX": f"{prefix}:{options.get('KEY_PREFIX', '')}"}
        for alias, options in settings.CACHES.items()
    }
    with override_settings(CACHES=bypassed):
        yield


def check_read(machine: "CacheCheck", case: Any, reader: Caller, path: str) -> Any:
    """Ask ``case`` as ``reader`` through the cache and with caching bypassed: the two
    answers must be the same (or, with ``accept_stale``, the cached one an answer the
    reader was given earlier). Return the cached answer."""
    cached = machine.send(case, reader)
    with caches_bypassed():
        fresh = machine.send(case, reader)
    was, now = body_of(cached), body_of(fresh)
    answers = machine.answers[reader.name, path]
    answers.append(now)
    if was == now:
        return cached
    if machine.accept_stale and was in answers:
        machine.report.stale_reads += 1  # not expired yet: what the recipe promises
        return cached
    machine.found(machine.difference(reader, path, cached, fresh))


# --8<-- [end:core]


# --8<-- [start:vary]
def check_vary(machine: "CacheCheck", answered: dict[str, Any], path: str) -> None:
    """A response a shared cache may store must name in ``Vary`` every request header on
    which two callers' bodies differ."""
    bodies = {name: body_of(response) for name, response in answered.items()}
    for first in machine.callers:
        for second in machine.callers:
            response = answered[first.name]
            if bodies[first.name] == bodies[second.name]:
                continue
            differing = headers_that_differ(first, second)
            named = vary_of(response)
            if shareable(response) and not differing & named:
                machine.found(
                    f"{path}: {first.name}'s and {second.name}'s bodies differ on "
                    f"{sorted(differing)}, and the response, which a shared cache may "
                    f"store, varies on {sorted(named) or 'nothing'}\n"
                    + machine.history()
                )


# --8<-- [end:vary]


# --8<-- [start:machine]
class CacheCheck:
    """What the generated state machine adds to schemathesis's: the callers, the
    comparison after every GET, writes outside the API, and a report of each step."""

    callers: Sequence[Caller]
    writer: Caller
    accept_stale: bool
    report: "Report"
    outside_writes: Mapping[str, Callable[[], Any]] = {}
    failed: list["Step"] = []  # the steps of the last difference found
    failure: str = ""  # and what it was

    def setup(self) -> None:
        """Each scenario starts from the same data and an empty cache: its writes are
        rolled back, so that Hypothesis can replay a failure while it shrinks it."""
        self.scenario = transaction.atomic()
        self.scenario.__enter__()
        clear_caches()
        self.steps: list[str] = []
        self.answers: dict[tuple[str, str], list[Any]] = defaultdict(list)
        self.reads: dict[str, Any] = {}  # each GET that answered 200, by path
        self.trace: list[Step] = []  # what to replay: requests and outside writes
        self.turn = 0

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.scenario.__exit__(None, None, None)
        clear_caches()
        self.report.scenarios += 1

    def get_call_kwargs(self, case: Any) -> dict[str, Any]:
        if case.method.upper() == "GET":  # each GET from the next caller in turn
            self.turn += 1
            return self.callers[self.turn % len(self.callers)].sends()
        return self.writer.sends()

    def call(self, case: Any, **kwargs: Any) -> Any:
        self.trace.append(Step(case=case, sent=kwargs))
        with TestCase.captureOnCommitCallbacks(execute=True):  # as a committed request
            response = case.call(**kwargs)
        path = path_of(case)
        sent = (
            ""
            if case.body is NOT_SET
            else f" {json.dumps(case.body, default=str)[:SENT]}"
        )
        self.steps.append(f"{case.method.upper()} {path}{sent}: {response.status_code}")
        if case.method.upper() == "GET" and response.status_code == 200:
            self.reads[path] = case
            self.read_as_everyone(path)
        elif 200 <= response.status_code < 300:
            self.read_again()
        return response

    def read_as_everyone(self, path: str) -> None:
        case = self.reads[path]
        answered = {c.name: check_read(self, case, c, path) for c in self.callers}
        check_vary(self, answered, path)

    def read_again(self) -> None:
        """After a write: every GET this scenario read, as every caller (the most
        recent ones, ``READ_AGAIN`` at most)."""
        for path in list(self.reads)[-READ_AGAIN:]:
            self.read_as_everyone(path)

    # --8<-- [end:machine]

    def validate_response(self, *args: Any, **kwargs: Any) -> None:
        """Statuses and bodies against the schema are schemathesis's own checks: run
        them with its CLI; this machine checks the cache."""

    def write_outside(self, name: str) -> None:
        self.trace.append(Step(outside=name))
        with TestCase.captureOnCommitCallbacks(execute=True):
            self.outside_writes[name]()
        self.steps.append(f"{name} (outside the API)")
        self.read_again()

    def replay(self, trace: Sequence["Step"]) -> str | None:
        """Run ``trace`` as the scenario this machine started when it was made (its
        ``setup``); return the difference it ends in, or ``None`` if it ends in none."""
        try:
            for step in trace:
                if step.outside:
                    self.write_outside(step.outside)
                else:
                    self.call(step.case, **step.sent)
        except AssertionError as found:
            return str(found)
        finally:
            self.teardown()
        return None

    def send(self, case: Any, caller: Caller) -> Any:
        with TestCase.captureOnCommitCallbacks(execute=True):
            return case.call(**caller.sends())

    def found(self, difference: str) -> NoReturn:
        """Fail with ``difference``, keeping the steps that led to it to shrink."""
        type(self).failed, type(self).failure = list(self.trace), difference
        raise AssertionError(difference)

    def history(self) -> str:
        lines = [f"  {number}. {step}" for number, step in enumerate(self.steps, 1)]
        return "After:\n" + "\n".join(lines)

    def difference(self, reader: Caller, path: str, cached: Any, fresh: Any) -> str:
        where = first_difference(body_of(cached)[1], body_of(fresh)[1])
        return (
            f"GET {path} as {reader.name}: the cached answer differs from the answer "
            f"with caching bypassed\n  at {where}\n{self.history()}\n"
            f"  cached ({cached.status_code}):   {shown(cached)}\n"
            f"  uncached ({fresh.status_code}): {shown(fresh)}"
        )


def with_outside_writes(machine: type, writes: Mapping[str, Callable[[], Any]]) -> type:
    """Add a rule that runs one of ``writes`` (a name and a callable) between requests,
    as a committed job would."""
    if not writes:
        return machine

    class WithOutsideWrites(machine):  # type: ignore[misc,valid-type]
        @rule(name=st.sampled_from(sorted(writes)))
        def write_outside_the_api(self, name: str) -> None:
            self.write_outside(name)

    return WithOutsideWrites


@dataclass(frozen=True)
class Step:
    """One step of a scenario, to replay: a request as sent, or a write outside the API."""

    case: Any = None
    sent: Mapping[str, Any] = field(default_factory=dict)  # its headers and cookies
    outside: str | None = None


# --8<-- [start:shrink]
def shrink(machine: type, budget: float) -> tuple[list[Step], str]:
    """Remove steps from the failing trace while it still fails, for ``budget`` seconds
    at most: each replay runs a scenario, so Hypothesis's own shrinking, which replays
    thousands, would take minutes. Return the shortest trace found and its difference."""
    deadline = time.perf_counter() + budget
    trace, found = machine.failed, machine.failure
    index = len(trace) - 1
    while index >= 0 and time.perf_counter() < deadline:
        shorter = trace[:index] + trace[index + 1 :]
        difference = machine().replay(shorter)
        if difference is not None:
            trace, found = shorter, difference
        index -= 1
    return trace, found


# --8<-- [end:shrink]


@dataclass
class Report:
    """What a check did: operations it could call, scenarios run, cached reads accepted
    as stale, and how long it took."""

    operations: int = 0
    scenarios: int = 0
    stale_reads: int = 0
    seconds: float = 0.0


def check_cache(
    schema_path: str,
    callers: Sequence[Caller],
    *,
    writer: Caller | None = None,
    paths: str | None = None,
    outside_writes: Mapping[str, Callable[[], Any]] | None = None,
    accept_stale: bool = False,
    max_examples: int = 20,
    steps: int = 8,
    seed: int = 0,
    shrink_seconds: float = 30.0,
) -> Report:
    """Check the API whose OpenAPI schema is at ``schema_path``, for ``callers``.

    ``writer`` sends the writes (by default, the first caller with credentials: send
    them in headers, since a session's writes need a CSRF token); ``paths``, a regular
    expression, limits the operations; ``outside_writes`` are interleaved with the
    requests. Raises ``AssertionError`` with the shrunk sequence on the first difference
    (``shrink_seconds`` bounds the shrinking).
    """
    report = Report()
    started = time.perf_counter()
    with requests_keep_the_test_connection():
        schema = schemathesis.openapi.from_wsgi(schema_path, get_wsgi_application())
        if paths:
            schema = schema.include(path_regex=paths)
        schema.config.generation.update(  # valid requests only: a cache's question
            modes=["positive"], allow_extra_parameters=False
        )
        report.operations = sum(1 for _ in schema.get_all_operations())
        machine = type(
            "CacheCheckMachine",
            (
                CacheCheck,
                schema.build_state_machine(feedback=NO_FEEDBACK, link_calibration=None),
            ),
            {
                "callers": tuple(callers),
                "writer": writer or next(c for c in callers if c.headers or c.cookies),
                "accept_stale": accept_stale,
                "report": report,
                "outside_writes": dict(outside_writes or {}),
            },
        )
        machine = with_outside_writes(machine, outside_writes or {})
        explore(machine, report, seed, max_examples, steps)
        if machine.failed:
            steps_taken = len(machine.failed)
            trace, found = shrink(machine, shrink_seconds)
            raise AssertionError(
                f"{found}\n(shrunk to {len(trace)} of {steps_taken} steps)"
            )
    report.seconds = time.perf_counter() - started
    return report


# --8<-- [start:explore]
def explore(
    machine: type, report: "Report", seed: int, max_examples: int, steps: int
) -> None:
    """Run scenarios until ``max_examples`` have run or one found a difference.

    Every scenario is checked as it runs; Hypothesis only chooses the requests.
    schemathesis follows links with randomness of its own, so Hypothesis can find that
    a choice it made before leads elsewhere now, and stop (``Flaky``): the check goes on
    with the next seed, and never relies on Hypothesis replaying a scenario.
    """
    for attempt in range(MAX_SEEDS):
        left = max_examples - report.scenarios
        if left <= 0 or machine.failed:
            return
        print(f"cache check: seed {seed + attempt}, {left} scenarios of {steps} steps")
        run = get_state_machine_test(machine, settings=bounded(left, steps))
        try:
            hypothesis.seed(seed + attempt)(run)()
        except (AssertionError, hypothesis.errors.Flaky, ExceptionGroup):
            if not machine.failed:
                raise


# --8<-- [end:explore]


def cache_check_test(
    schema_path: str, *, callers: str = "cache_callers", **options: Any
) -> Callable[..., None]:
    """Return a pytest test that runs ``check_cache`` for the callers the fixture named
    ``callers`` returns (a list of ``Caller``); ``options`` go to ``check_cache``."""

    @pytest.mark.django_db
    def test_the_cache_answers_as_the_api_does(request: Any) -> None:
        check_cache(schema_path, request.getfixturevalue(callers), **options)

    return test_the_cache_answers_as_the_api_does


def bounded(max_examples: int, steps: int) -> hypothesis.settings:
    return hypothesis.settings(
        max_examples=max_examples,
        stateful_step_count=steps,
        deadline=None,
        database=None,  # the seed decides: the same sequences on every run
        suppress_health_check=list(hypothesis.HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],  # see shrink()
        report_multiple_bugs=False,
    )


@contextmanager
def requests_keep_the_test_connection() -> Iterator[None]:
    """Requests sent to the WSGI handler in the test's own thread: Django would close
    the test's database connection (and its transaction) when each one ends, as Django's
    test client prevents for its own requests."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def clear_caches() -> None:
    for alias in settings.CACHES:
        caches[alias].clear()


def path_of(case: Any) -> str:
    query = "&".join(
        f"{key}={value}" for key, value in sorted((case.query or {}).items())
    )
    return case.formatted_path + (f"?{query}" if query else "")


def body_of(response: Any) -> Any:
    try:
        return (response.status_code, json.loads(response.content))
    except ValueError:
        return (response.status_code, response.content)


def first_difference(cached: Any, fresh: Any, where: str = "") -> str:
    """Name the first place two JSON bodies differ: ``[1].results[0].title: 'A' != 'B'``."""
    if isinstance(cached, dict) and isinstance(fresh, dict):
        for key in [*cached, *(k for k in fresh if k not in cached)]:
            if cached.get(key, MISSING) != fresh.get(key, MISSING):
                return first_difference(
                    cached.get(key, MISSING), fresh.get(key, MISSING), f"{where}.{key}"
                )
    if isinstance(cached, list | tuple) and isinstance(fresh, list | tuple):
        for index, (one, other) in enumerate(zip(cached, fresh, strict=False)):
            if one != other:
                return first_difference(one, other, f"{where}[{index}]")
        if len(cached) != len(fresh):
            return f"{where}: {len(cached)} items != {len(fresh)}"
    return f"{where or 'the body'}: {cached!r} != {fresh!r}"


MISSING = "(missing)"


def shown(response: Any) -> str:
    text = response.content.decode(errors="replace")
    return text if len(text) <= SHOWN else text[:SHOWN] + "..."


def headers_that_differ(first: Caller, second: Caller) -> set[str]:
    """Name the request headers that differ between two callers' requests."""
    ours = {name.lower(): value for name, value in first.headers.items()}
    theirs = {name.lower(): value for name, value in second.headers.items()}
    differing = {name for name in ours | theirs if ours.get(name) != theirs.get(name)}
    return differing | ({"cookie"} if first.cookies != second.cookies else set())


def vary_of(response: Any) -> set[str]:
    values = response.headers.get("vary", [])  # schemathesis: lower-case names, lists
    return {name.strip().lower() for value in values for name in value.split(",")}


def shareable(response: Any) -> bool:
    """Whether a shared cache may store the response (RFC 9111): it says so with
    ``public``, ``s-maxage`` or ``max-age``, and not ``private`` or ``no-store``."""
    text = ",".join(response.headers.get("cache-control", [])).lower()
    directives = {part.strip().split("=")[0] for part in text.split(",")}
    if directives & {"private", "no-store"}:
        return False
    return bool(directives & {"public", "s-maxage", "max-age"})
