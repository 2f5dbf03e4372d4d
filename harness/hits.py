"""What a hit, a miss and an uncached request cost in every recipe, against the floor.

``python -m harness.bench hits`` seeds the ``bench`` bookshop on a private ``redis-server``
and sends requests through Django's WSGI handler (what gunicorn calls), with the demo's
middleware, for three callers (alice by token, alice by session, anonymous) on a 50-book list
page and a book's detail. Next to the recipes it measures:

* the floor, a view returning the page's bytes rendered ahead of time, twice: the two
  medians' ratio is the run's A/A noise;
* the floor plus one raw Redis ``GET``, the least any shared cache can cost;
* drf-extensions' ``CacheResponseMixin`` with a per-user key, with DRF's own token
  authentication and with the demo's cached authentication (the recipes' own: the
  comparison on equal terms), and the naive ``cache_page`` + ``vary_on_headers``;
* the same request with no cache.

Every target is requested once per round, in a shuffled order, so that a slow moment of the
machine falls on all of them alike; ratios of medians measured in one run are what to compare.
A miss is a request with a query parameter never sent before (``?n=...``): the entry is
absent and everything else, such as namespace versions, is in place. A recipe's miss is held
to a few percent of the uncached request, closer than the medians of two shuffled targets
agree on this machine: each is sent next to its uncached twin, in a random order, and
compared with it pair by pair (the median of the pairs' ratios).
"""

import io
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

CALLERS = ("alice-token", "alice-session", "anonymous")
PAGES = {"list": "books/", "detail": "books/1/"}
RECIPES = (
    "cache-page",
    "middleware",
    "manual-keys",
    "versioning",
    "signals",
    "tracked",
    "conditional",
)
FLOOR, FLOOR_AGAIN, FLOOR_GET = "floor", "floor (A/A)", "floor + Redis GET"
UNCACHED = "no cache"
EXTENSIONS = "drf-extensions, DRF's authentication"
EXTENSIONS_CACHED = "drf-extensions, cached authentication"  # the recipes' own
NAIVE = "cache_page + vary_on_headers"
PLAIN_TOKEN = "middleware, DRF's TokenAuthentication"


@dataclass(frozen=True)
class Target:
    """One request the harness times, for one caller and page."""

    name: str
    state: str  # hit, miss, 304, 200, or "" for the references
    caller: str
    page: str
    path: str
    unique_query: bool = False  # a new ?n= each time: a miss
    revalidate: bool = False  # send the ETag of the first response: a 304


@dataclass
class Timed:
    """One recipe's hit, sent one way, timed request by request (the cost benchmarks)."""

    recipe: str
    way: str
    times_us: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times_us)


@dataclass
class Measured:
    target: Target
    times_us: list[float] = field(default_factory=list)
    status: int = 0
    outcome: str = ""
    queries: int = 0
    round_trips: int = 0
    keys_written: int | None = None
    bytes_written: int | None = None
    paired: list[tuple[float, float]] = field(default_factory=list)  # (µs, twin's µs)
    expired: int = 0  # timed sends that found the entry gone, and were sent again

    @property
    def median(self) -> float:
        return statistics.median(self.times_us)

    @property
    def paired_ratio(self) -> float:
        """The median of its times over its twin's, sent beside it."""
        return statistics.median(mine / twin for mine, twin in self.paired)

    @property
    def paired_extra(self) -> float:
        """The median of what it took more than its twin, in µs."""
        return statistics.median(mine - twin for mine, twin in self.paired)

    @property
    def p90(self) -> float:
        return statistics.quantiles(self.times_us, n=10)[-1]


def targets_for(caller: str, page: str) -> list[Target]:
    """Every target for one caller and page: references, then each recipe's states."""
    tail = PAGES[page]
    both = f"{caller}.{page}"
    made = [
        Target(FLOOR, "", caller, page, f"/bench/floor/{both}/"),
        Target(FLOOR_AGAIN, "", caller, page, f"/bench/floor/{both}/"),
        Target(FLOOR_GET, "", caller, page, f"/bench/floor-redis/{both}/"),
        Target(UNCACHED, "", caller, page, f"/api/uncached/{tail}"),
        Target(UNCACHED, "new query", caller, page, f"/api/uncached/{tail}", True),
    ]
    for name, prefix in (
        (EXTENSIONS, "drf-extensions"),
        (EXTENSIONS_CACHED, "drf-extensions-cached-auth"),
        (NAIVE, "naive-cache-page"),
    ):
        made += [
            Target(name, "hit", caller, page, f"/bench/{prefix}/{tail}"),
            Target(name, "miss", caller, page, f"/bench/{prefix}/{tail}", True),
        ]
    if caller.endswith("-token"):
        path = f"/bench/middleware-plain-token/{tail}"
        made.append(Target(PLAIN_TOKEN, "hit", caller, page, path))
    for slug in RECIPES:
        path = f"/api/{slug}/{tail}"
        if slug == "conditional":
            made += [
                Target(slug, "304", caller, page, path, revalidate=True),
                Target(slug, "200", caller, page, path),
            ]
        else:
            made += [
                Target(slug, "hit", caller, page, path),
                Target(slug, "miss", caller, page, path, True),
            ]
    return made


class WsgiClient:
    """Send GETs straight to Django's WSGI handler, as a server would, for one caller."""

    def __init__(self, headers: dict[str, str]) -> None:
        from django.core.handlers.wsgi import WSGIHandler

        self.handler = WSGIHandler()
        self.headers = headers
        self.etags: dict[str, str] = {}

    def get(
        self, path: str, query: str = "", **headers: str
    ) -> tuple[int, dict, bytes]:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "localhost",
            "HTTP_ACCEPT": "application/json",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
            **self.headers,
            **headers,
        }
        started: list[Any] = []
        body = self.handler(
            environ, lambda status, sent: started.extend([status, sent])
        )
        try:
            content = b"".join(body)
        finally:
            body.close()  # ends the request: request_finished runs, as under a server
        return int(started[0].split()[0]), dict(started[1]), content


def client_headers(caller: str) -> dict[str, str]:
    """Return the WSGI environ entries that identify ``caller``."""
    from recipes.bookshop import sandbox

    api = sandbox.client(caller)
    if caller.endswith("-token"):
        return {"HTTP_AUTHORIZATION": api._credentials["HTTP_AUTHORIZATION"]}
    if caller.endswith("-session"):
        return {"HTTP_COOKIE": f"sessionid={api.cookies['sessionid'].value}"}
    return {}


class Requester:
    """Send a target's request and say what the server did."""

    def __init__(self) -> None:
        self.clients = {
            caller: WsgiClient(client_headers(caller)) for caller in CALLERS
        }
        self.sent = 0

    def send(self, target: Target) -> tuple[int, dict, bytes]:
        client = self.clients[target.caller]
        self.sent += 1
        query = f"n={self.sent}" if target.unique_query else ""
        extra = {}
        if target.revalidate:
            if target.path not in client.etags:
                client.etags[target.path] = client.get(target.path)[1]["ETag"]
            extra["HTTP_IF_NONE_MATCH"] = client.etags[target.path]
        return client.get(target.path, query, **extra)


@contextmanager
def counting_round_trips() -> Iterator[list[int]]:
    """Count the commands and pipelines redis-py sends while the block runs."""
    import redis
    from redis.client import Pipeline

    count = [0]
    command, pipeline = redis.Redis.execute_command, Pipeline.execute

    def counted(original: Callable) -> Callable:
        def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            count[0] += 1
            return original(self, *args, **kwargs)

        return call

    redis.Redis.execute_command = counted(command)
    Pipeline.execute = counted(pipeline)
    try:
        yield count
    finally:
        redis.Redis.execute_command, Pipeline.execute = command, pipeline


def render_floor_bodies(requester: Requester) -> None:
    """Store each page's uncached bytes, per caller, for the floor views."""
    from . import references

    bodies = {}
    for caller in CALLERS:
        for page, tail in PAGES.items():
            bodies[f"{caller}.{page}"] = requester.clients[caller].get(
                f"/api/uncached/{tail}"
            )[2]
    references.store_floor_bodies(bodies)


def what_it_does(requester: Requester, measured: Measured) -> None:
    """Send the target once more, counting queries and Redis round trips (not timed)."""
    from recipes.bookshop.server_timing import parse_server_timing

    with counting_round_trips() as trips:
        status, headers, _ = requester.send(measured.target)
    metrics = parse_server_timing(headers.get("Server-Timing", ""))
    measured.status = status
    measured.outcome = metrics.get("cache", {}).get("desc", "")
    measured.queries = queries_run(headers)
    measured.round_trips = trips[0]


def what_it_stores(requester: Requester, measured: Measured) -> None:
    """On an empty Redis, send the target once; count the keys and bytes it wrote,
    besides the caller's cached credentials."""
    from django_redis import get_redis_connection

    redis = get_redis_connection("default")
    floors = {key: redis.get(key) for key in redis.scan_iter("bench:floor:*")}
    redis.flushdb()
    redis.mset(floors)
    for client in requester.clients.values():
        client.etags.clear()  # the versions they named are gone
    requester.clients[measured.target.caller].get("/api/auth-cache/me/")
    before = set(redis.scan_iter())
    requester.send(measured.target)
    written = [key for key in redis.scan_iter() if key not in before]
    measured.keys_written = len(written)
    measured.bytes_written = sum(redis.memory_usage(key) or 0 for key in written)


def measure_all(repeat: int, seed: int = 2026) -> tuple[list[Measured], Requester]:
    """Time every target ``repeat`` times, interleaved, after counting what each does."""
    requester = Requester()
    render_floor_bodies(requester)
    measured = [
        Measured(target)
        for caller in CALLERS
        for page in PAGES
        for target in targets_for(caller, page)
    ]
    for one in measured:
        if one.target.state in ("hit", "304"):
            what_it_stores(requester, one)
    for one in measured:  # warm: entries stored, code paths run
        requester.send(one.target)
        requester.send(one.target)
        what_it_does(requester, one)
    twins = twins_of(measured)
    order = random.Random(seed)
    for _ in range(repeat):
        order.shuffle(measured)
        for one in measured:
            twin = twins.get(one.target)
            if twin is None:
                one.times_us.append(timed_hit(requester, one))
                continue
            pair = [one, twin]
            order.shuffle(pair)  # which goes first is the toss of a coin
            times = {m.target: timed_hit(requester, m) for m in pair}
            one.times_us.append(times[one.target])
            one.paired.append((times[one.target], times[twin.target]))
    return measured, requester


def timed_with_headers(requester: Requester, target: Target) -> tuple[float, dict]:
    """Send ``target`` once; return how long it took, in µs, and the headers."""
    started = time.perf_counter()
    _, headers, _ = requester.send(target)
    return (time.perf_counter() - started) * 1e6, headers


MOST_SENDS = 3  # of one timed hit: an expiry's miss, the hit that stores again, a hit


def timed_hit(requester: Requester, measured: Measured) -> float:
    """Time ``measured``'s request once. A hit (or a 304) that ran more queries than it
    did when counted met an entry that expired during the run (the middleware's list
    entries last 60 s, the run minutes): it is counted, and sent again, so that a
    hit's times are hits' for every target alike."""
    took, headers = timed_with_headers(requester, measured.target)
    if measured.target.state not in ("hit", "304"):
        return took
    for _ in range(MOST_SENDS - 1):
        if queries_run(headers) <= measured.queries:
            break
        measured.expired += 1
        took, headers = timed_with_headers(requester, measured.target)
    return took


def queries_run(headers: dict) -> int:
    """The queries a response's ``Server-Timing`` says it ran."""
    from recipes.bookshop.server_timing import parse_server_timing

    metrics = parse_server_timing(headers.get("Server-Timing", ""))
    return int(metrics["db"]["desc"].split()[0])


def twins_of(measured: list[Measured]) -> dict[Target, Measured]:
    """The uncached request each recipe's miss (and conditional's 200) is sent beside."""
    return {
        one.target: find(measured, *twin, one.target.caller, one.target.page)
        for one in measured
        if (twin := paired_with(one.target)) is not None
    }


def paired_with(target: Target) -> tuple[str, str] | None:
    """The (name, state) of the uncached request ``target`` is compared with pair by
    pair; ``None`` for a target compared by medians."""
    if target.name not in RECIPES:
        return None
    return {"miss": (UNCACHED, "new query"), "200": (UNCACHED, "")}.get(target.state)


def find(
    measured: list[Measured], name: str, state: str, caller: str, page: str
) -> Measured:
    return next(
        m
        for m in measured
        if (m.target.name, m.target.state, m.target.caller, m.target.page)
        == (name, state, caller, page)
    )


def page_table(measured: list[Measured], caller: str, page: str) -> str:
    """One caller and page: every target, with ratios to the floor + GET and to
    drf-extensions' hit with the same authentication as the recipes."""
    rows = [m for m in measured if (m.target.caller, m.target.page) == (caller, page)]
    rows.sort(key=lambda m: m.median)
    floor_get = find(measured, FLOOR_GET, "", caller, page).median
    extensions = find(measured, EXTENSIONS_CACHED, "hit", caller, page).median
    lines = [
        "| Request | Status | Queries | Redis round trips | Median | p90 "
        "| Ratio to floor + GET | Ratio to drf-extensions hit, cached authentication "
        "| Stored: keys, bytes |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for m in rows:
        name = f"{m.target.name} {m.target.state}".strip()
        stored = (
            f"{m.keys_written}, {m.bytes_written:,}"
            if m.keys_written is not None
            else ""
        )
        lines.append(
            f"| {name} | {m.status} | {m.queries} | {m.round_trips} "
            f"| {m.median:,.0f} µs | {m.p90:,.0f} µs | {m.median / floor_get:.2f} "
            f"| {m.median / extensions:.2f} | {stored} |"
        )
    return "\n".join(lines)


@dataclass(frozen=True)
class Check:
    """A target: ``top``'s median over ``bottom``'s, for one caller, at most ``limit``."""

    top: tuple[str, str]  # (name, state)
    bottom: tuple[str, str]
    caller: str
    limit: float

    def ratio(self, measured: list[Measured], page: str) -> float:
        """The ratio of the medians; for a target sent beside its twin, the median of
        the pairs' ratios."""
        top = find(measured, *self.top, self.caller, page)
        if top.paired and paired_with(top.target) == self.bottom:
            return top.paired_ratio
        return top.median / find(measured, *self.bottom, self.caller, page).median


WHOLE_RESPONSE = ("middleware", "manual-keys", "versioning", "signals", "tracked")
#: The most a whole-response hit may cost, in floors + Redis GET, per caller kind.
HIT_LIMITS = {"alice-token": 1.3, "alice-session": 1.5}


def targets() -> list[Check]:
    """The targets the cookbook holds its recipes to."""
    made = []
    for caller, limit in HIT_LIMITS.items():
        made += [
            Check((slug, "hit"), (FLOOR_GET, ""), caller, limit)
            for slug in WHOLE_RESPONSE
        ]
        made += [
            Check(("cache-page", "hit"), (FLOOR_GET, ""), caller, 1.2),
            Check(("conditional", "304"), (FLOOR_GET, ""), caller, 1.5),
        ]
        made += [
            Check((slug, "hit"), (EXTENSIONS_CACHED, "hit"), caller, 0.6)
            for slug in WHOLE_RESPONSE
        ]
    for caller in CALLERS:
        made += [
            Check((slug, "miss"), (UNCACHED, "new query"), caller, 1.05)
            for slug in RECIPES
            if slug != "conditional"
        ]
        made.append(Check(("conditional", "200"), (UNCACHED, ""), caller, 1.05))
    return made


def targets_table(measured: list[Measured]) -> str:
    lines = [
        "| Caller | Page | Request | Compared with | Ratio | Target | Met |",
        "| --- | --- | --- | --- | ---: | ---: | :---: |",
    ]
    for check in targets():
        for page in PAGES:
            ratio = check.ratio(measured, page)
            lines.append(
                f"| {check.caller} | {page} | {' '.join(check.top)} "
                f"| {' '.join(check.bottom).strip()} | {ratio:.2f} "
                f"| at most {check.limit:g} | {'yes' if ratio <= check.limit else '**no**'} |"
            )
    return "\n".join(lines)


def noise(measured: list[Measured]) -> float:
    """The largest gap between the two floors' medians, as a fraction: the A/A noise."""
    return max(
        abs(
            find(measured, FLOOR_AGAIN, "", caller, page).median
            / find(measured, FLOOR, "", caller, page).median
            - 1
        )
        for caller in CALLERS
        for page in PAGES
    )


def expiries(measured: list[Measured]) -> str:
    """Say how many timed hits met an entry that had expired, by request, if any."""
    by_name = Counter()
    for one in measured:
        by_name[one.target.name] += one.expired
    if not (total := sum(by_name.values())):
        return ""
    named = ", ".join(f"{name} {n}" for name, n in by_name.most_common() if n)
    return (
        f"{total} timed hits met an entry that had expired during the run, and were "
        f"sent again, so that every hit's times are hits' ({named}). "
    )


PHASES = {  # (file suffix, function) pairs: what a share of the request's time went to
    "DRF's dispatch": [("rest_framework/views.py", "dispatch")],
    "authentication": [("rest_framework/request.py", "_authenticate")],
    "Redis commands": [("redis/client.py", "execute_command")],
    "decoding entries": [("django_redis/client/default.py", "decode")],
    "building the key": [
        ("recipes/middleware/response_cache.py", "response_key"),
        ("recipes/manual_keys/tagged_cache.py", "build_cache_key"),
        ("recipes/versioned/namespaces.py", "response_key"),
        ("recipes/versioned/conditional.py", "entity_tag"),
        ("recipes/versioned/early.py", "early_key"),
        ("recipes/middleware/response_cache.py", "early_key"),
        ("recipes/tracked/tracked_cache.py", "early_key"),
        ("django/utils/cache.py", "_generate_cache_key"),
        ("django/utils/cache.py", "_generate_cache_header_key"),
        ("rest_framework_extensions/key_constructor/constructors.py", "get_key"),
    ],
    "rendering": [("rest_framework/response.py", "rendered_content")],
    "database queries": [("django/db/backends/utils.py", "_execute")],
}
WHOLE_REQUEST = [("django/core/handlers/wsgi.py", "__call__")]
HIT_PATHS = [  # each recipe's hit: profiled, summarised and charted
    ("cache-page", "hit"),
    ("middleware", "hit"),
    ("manual-keys", "hit"),
    ("versioning", "hit"),
    ("signals", "hit"),
    ("tracked", "hit"),
    ("conditional", "304"),
]
PROFILED = [
    (FLOOR_GET, ""),
    (EXTENSIONS, "hit"),
    (EXTENSIONS_CACHED, "hit"),
    *HIT_PATHS,
]


def cumulative(stats: dict, where: list[tuple[str, str]]) -> float:
    """Return the seconds spent in (and under) the functions ``where`` names."""
    return sum(
        entry[3]
        for (path, _, function), entry in stats.items()
        if any(function == name and path.endswith(suffix) for suffix, name in where)
    )


def profile_table(requester: Requester, caller: str, page: str, rounds: int) -> str:
    """Profile each hit path ``rounds`` times: where its time goes, as shares."""
    import cProfile
    import pstats

    header = "| Share of the request | " + " | ".join(
        " ".join(target).strip() for target in PROFILED
    )
    lines = [header + " |", "| --- |" + " ---: |" * len(PROFILED)]
    shares: dict[str, list[str]] = {phase: [] for phase in PHASES}
    totals = []
    for name, state in PROFILED:
        target = next(
            t for t in targets_for(caller, page) if (t.name, t.state) == (name, state)
        )
        requester.send(target)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(rounds):
            requester.send(target)
        profiler.disable()
        stats = pstats.Stats(profiler).stats
        whole = cumulative(stats, WHOLE_REQUEST)
        totals.append(f"{whole / rounds * 1e6:,.0f} µs")
        for phase, where in PHASES.items():
            shares[phase].append(f"{cumulative(stats, where) / whole:.0%}")
    lines.append("| Whole request, under the profiler | " + " | ".join(totals) + " |")
    lines += [f"| {phase} | " + " | ".join(row) + " |" for phase, row in shares.items()]
    return "\n".join(lines)


def machine() -> str:
    """Name what the numbers were measured on."""
    import os
    import platform

    import django
    import redis
    import rest_framework
    import rest_framework_extensions
    from django_redis import get_redis_connection

    server = get_redis_connection("default").info("server")["redis_version"]
    return (
        f"Measured on {os.cpu_count()} CPUs ({platform.machine()}), Python "
        f"{platform.python_version()}, Django {django.__version__}, DRF "
        f"{rest_framework.__version__}, drf-extensions "
        f"{rest_framework_extensions.__version__}, redis-py {redis.__version__}, "
        f"redis-server {server}."
    )


def round_trip_budget(measured: list[Measured], caller: str = "alice-token") -> str:
    """Say what one Redis round trip costs here next to 5% of each uncached page: a miss
    makes at least two (the lookup and the store)."""
    parts = []
    for page in PAGES:
        trip = (
            find(measured, FLOOR_GET, "", caller, page).median
            - find(measured, FLOOR, "", caller, page).median
        )
        allowed = 0.05 * find(measured, UNCACHED, "new query", caller, page).median
        parts.append(
            f"on the {page} page, one Redis round trip (floor + Redis GET, less the "
            f"floor) took {trip:,.0f} µs and 5% of the uncached request is "
            f"{allowed:,.0f} µs"
        )
    return f"For {caller}, " + "; ".join(parts) + "."


def recording_budget(
    requester: Requester,
    measured: list[Measured],
    rounds: int,
    caller: str = "alice-token",
    page: str = "list",
) -> str:
    """Say how much of the tracked miss's cost over the uncached request is recording
    what it read: the uncached request inside ``collect()``, sent beside the same
    request outside it, in a coin-tossed order. Every cost of recording is in: the
    hooks, and the statement wrapper and the ``post_init`` signal that call them. The
    price of declaring nothing, which grows with the statements a page runs."""
    uncached = find(measured, UNCACHED, "new query", caller, page)
    order = random.Random(rounds)
    differences = []
    for _ in range(rounds):
        times = {}
        for recording in order.sample([True, False], 2):
            times[recording] = timed_recording(requester, uncached.target, recording)
        differences.append(times[True] - times[False])
    miss = find(measured, "tracked", "miss", caller, page)
    allowed = 0.05 * uncached.median
    spent = time_in_store(requester, miss.target, rounds)
    recording = statistics.median(differences)
    essential = recording + spent["put"]  # no miss of the recipe goes without either
    return (
        f"For {caller} on the {page} page, a tracked miss took "
        f"{miss.paired_extra:,.0f} µs more than the uncached request; recording what "
        f"it read took {recording:,.0f} µs of it "
        f"({uncached.queries} statements, "
        f"{instances_loaded(requester, uncached.target)} instances loaded; the "
        f"uncached request inside `collect()` beside it outside, the median of "
        f"{rounds} pairs), storing the entry and the caller's alias "
        f"{spent['put']:,.0f} µs (one script, the body pickled and compressed first), "
        f"and reading them {spent['get']:,.0f} µs (the medians of {rounds} misses); "
        f"5% of the uncached request is {allowed:,.0f} µs. Recording and storing, "
        f"which no miss of the recipe goes without, come to {essential:,.0f} µs: "
        f"{'more' if essential > allowed else 'less'} than that 5%."
    )


def time_in_store(requester: Requester, target: Target, rounds: int) -> dict:
    """The median time one request of ``target`` spends in the tracked store's
    ``put`` and ``get`` (all its calls of each), in µs: timed where they are called,
    in the request, so that they run as warm or as cold as a miss runs them."""
    from recipes.tracked.tracked_cache import TrackedCache

    spent: dict[str, list[float]] = {"put": [], "get": []}
    this_request: Counter = Counter()

    def timed(name: str, method: Callable) -> Callable:
        def call(store: Any, *args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return method(store, *args, **kwargs)
            finally:
                this_request[name] += (time.perf_counter() - started) * 1e6

        return call

    with (
        mock.patch.object(TrackedCache, "put", timed("put", TrackedCache.put)),
        mock.patch.object(TrackedCache, "get", timed("get", TrackedCache.get)),
    ):
        for _ in range(rounds):
            this_request.clear()
            requester.send(target)
            for name, times in spent.items():
                times.append(this_request[name])
    return {name: statistics.median(times) for name, times in spent.items()}


def timed_recording(requester: Requester, target: Target, recording: bool) -> float:
    """Send ``target`` once, inside ``collect()`` if ``recording``; return how long it
    took, in µs."""
    from recipes.tracked.tracked_cache import collect

    started = time.perf_counter()
    with collect() if recording else nullcontext():
        requester.send(target)
    return (time.perf_counter() - started) * 1e6


def instances_loaded(requester: Requester, target: Target) -> int:
    """How many model instances one request of ``target`` loads."""
    from django.db.models.signals import post_init

    loaded = []
    uid = "counting the instances loaded"
    post_init.connect(lambda **_: loaded.append(1), weak=False, dispatch_uid=uid)
    try:
        requester.send(target)
    finally:
        post_init.disconnect(dispatch_uid=uid)
    return len(loaded)


SERVER_TIMED = [(FLOOR_GET, ""), ("versioning", "hit"), ("tracked", "hit")]


def server_time_budget(
    requester: Requester, rounds: int, caller: str = "alice-token"
) -> str:
    """Say how long Redis itself worked for each request of a few hit paths (``INFO
    commandstats``): a GET, the versioning hit's ``MGET``, and the tracked hit's (an
    ``MGET`` of the counter and its stamps, once the process holds the response)."""
    from django_redis import get_redis_connection

    redis = get_redis_connection("default")
    parts = []
    for name, state in SERVER_TIMED:
        target = next(
            t for t in targets_for(caller, "list") if (t.name, t.state) == (name, state)
        )
        requester.send(target)
        redis.config_resetstat()
        for _ in range(rounds):
            requester.send(target)
        stats = redis.info("commandstats")
        worked = sum(v["usec"] for k, v in stats.items() if "resetstat" not in k)
        parts.append(f"{name} {state}".strip() + f" {worked / rounds:,.1f} µs")
    return (
        f"Inside Redis, per request ({caller}, list page, `INFO commandstats`): "
        + ", ".join(parts)
        + "."
    )


def summary(measured: list[Measured]) -> str:
    """Each recipe's hit on the list page for every caller kind, next to the floor + GET
    and to drf-extensions' hit with the same authentication: what other pages embed."""
    short = {
        "alice-token": "token",
        "alice-session": "session",
        "anonymous": "anonymous",
    }
    heads = [f"{short[c]}: x floor + GET" for c in CALLERS]
    heads += [f"{short[c]}: x drf-extensions" for c in CALLERS]
    lines = [
        f"| List page hit | {' | '.join(heads)} | Queries (token) "
        "| Redis round trips (token) |",
        "| --- |" + " ---: |" * (len(heads) + 2),
    ]
    for name, state in PROFILED:
        cells = []
        for reference in (FLOOR_GET, EXTENSIONS_CACHED):
            for caller in CALLERS:
                m = find(measured, name, state, caller, "list")
                base = find(
                    measured,
                    reference,
                    "hit" if reference != FLOOR_GET else "",
                    caller,
                    "list",
                )
                cells.append(f"{m.median / base.median:.2f}")
        token = find(measured, name, state, "alice-token", "list")
        lines.append(
            f"| {f'{name} {state}'.strip()} | {' | '.join(cells)} "
            f"| {token.queries} | {token.round_trips} |"
        )
    return "\n".join(
        ["<!-- --8<-- [start:summary] -->", *lines, "<!-- --8<-- [end:summary] -->"]
    )


def headline(measured: list[Measured], caller: str = "alice-token") -> str:
    """What a reader came for, in three lines: the fastest hit against the references, the
    misses against the uncached request, and how many targets this run met."""
    hits = [
        find(measured, name, state, caller, "list")
        for name, state in HIT_PATHS
        if state == "hit"
    ]
    best = min(hits, key=lambda m: m.median)
    floor_get = find(measured, FLOOR_GET, "", caller, "list").median
    extensions = find(measured, EXTENSIONS_CACHED, "hit", caller, "list").median
    uncached = find(measured, UNCACHED, "", caller, "list").median
    misses = [
        find(measured, name, "miss", anyone, page).paired_ratio
        for name in RECIPES
        if name != "conditional"
        for anyone in CALLERS
        for page in PAGES
    ]
    checks = [(check, page) for check in targets() for page in PAGES]
    met = sum(check.ratio(measured, page) <= check.limit for check, page in checks)
    lines = [
        f"- **The fastest hit**, {caller} on the list page, is {best.target.name}'s: "
        f"{best.median:,.0f} µs, {best.median / floor_get:.2f} times the floor + Redis "
        f"GET and {best.median / extensions:.2f} times drf-extensions' hit with the same "
        f"cached authentication. The same request uncached takes {uncached:,.0f} µs, "
        f"{uncached / best.median:.1f} times as long.",
        f"- **A miss** costs {min(misses):.2f} to {max(misses):.2f} times the same "
        "request uncached, over every recipe, caller and page.",
        f"- **Targets met in this run: {met} of {len(checks)}.** The targets table "
        "below says which.",
    ]
    return "\n".join(
        ["<!-- --8<-- [start:headline] -->", *lines, "<!-- --8<-- [end:headline] -->"]
    )


def report(
    measured: list[Measured], profile: str, server_time: str = "", recording: str = ""
) -> str:
    """The whole run as Markdown: the headline and the targets first, then one table per
    caller and page."""
    parts = [
        headline(measured),
        summary(measured),
        targets_table(measured),
        f"A/A noise (two identical floors' medians): {noise(measured):.1%}. "
        f"{expiries(measured)}{machine()}",
        round_trip_budget(measured),
        *filter(None, [recording, server_time]),
        f"#### Where a hit's time goes: alice-token, list\n\n{profile}",
    ]
    for caller in CALLERS:
        for page in PAGES:
            parts.append(
                f"#### {caller}, {page}\n\n{page_table(measured, caller, page)}"
            )
    tables = [
        "<!-- --8<-- [start:tables] -->",
        *parts[1:],
        "<!-- --8<-- [end:tables] -->",
    ]
    return "\n\n".join([parts[0], *tables])


CHARTED = [
    (FLOOR, ""),
    (FLOOR_GET, ""),
    *HIT_PATHS,
    (PLAIN_TOKEN, "hit"),
    (EXTENSIONS, "hit"),
    (EXTENSIONS_CACHED, "hit"),
    (NAIVE, "hit"),
]


KIND_COLOURS = {  # one per kind of request, readable on the light and the dark palette
    "reference": "#9e9e9e",
    "recipe": "#3f51b5",
    "drf-extensions": "#ef6c00",
    "naive": "#c62828",
}


def kind_of(name: str) -> str:
    """Which kind of request a charted row is: a reference, a recipe, or a comparison."""
    if name in (FLOOR, FLOOR_AGAIN, FLOOR_GET):
        return "reference"
    if name in (EXTENSIONS, EXTENSIONS_CACHED):
        return "drf-extensions"
    if name == NAIVE:
        return "naive"
    return "recipe"


def draw_chart(
    measured: list[Measured], path: Path, caller: str = "alice-token"
) -> None:
    """Draw each hit path's median on the list page (a bar) and its p90 (a whisker)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    rows = [find(measured, name, state, caller, "list") for name, state in CHARTED]
    labels = [f"{m.target.name} {m.target.state}".strip() for m in rows]
    medians = [m.median for m in rows]
    spreads = [[0] * len(rows), [m.p90 - m.median for m in rows]]
    colours = [KIND_COLOURS[kind_of(m.target.name)] for m in rows]
    figure, axes = pyplot.subplots(figsize=(8, 4.5))
    axes.barh(labels, medians, xerr=spreads, color=colours, ecolor="#757575")
    axes.invert_yaxis()
    from matplotlib.patches import Patch

    kinds = dict.fromkeys(kind_of(m.target.name) for m in rows)
    axes.legend(
        handles=[Patch(color=KIND_COLOURS[kind], label=kind) for kind in kinds],
        loc="upper right",
        frameon=False,
    )
    axes.set_title(f"{caller}, the list page", loc="left")
    axes.set_xlabel("µs per request (bar: median, line: 90th percentile)")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="svg", metadata={"Date": None})
    pyplot.close(figure)


def run_hits(size: str, repeat: int, chart: Path | None = None) -> str:
    """Measure everything on a private redis-server, with the bookshop's ``size`` data;
    draw the chart of the hits into ``chart`` if given."""
    from .redis_server import bookshop_on_private_redis

    with bookshop_on_private_redis(size):
        from django.conf import settings
        from django.test.utils import override_settings

        response_cache = settings.RESPONSE_CACHE | {
            "TIMEOUTS": {
                **settings.RESPONSE_CACHE["TIMEOUTS"],
                "/bench/middleware-plain-token/": 60,
            }
        }
        with override_settings(
            ROOT_URLCONF="harness.bench_urls", RESPONSE_CACHE=response_cache
        ):
            measured, requester = measure_all(repeat)
            profile = profile_table(requester, "alice-token", "list", repeat * 3)
            server_time = server_time_budget(requester, repeat * 3)
            recording = recording_budget(requester, measured, max(repeat, 5))
            if chart is not None:
                draw_chart(measured, chart)
            return report(measured, profile, server_time, recording)
