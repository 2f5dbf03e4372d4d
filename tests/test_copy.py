"""Each recipe copied into a project that is not the bookshop, as its page says, and proven
there with that project's own test runner (``tests/copy_project/``)."""

import json
import os
import re
import shutil
import subprocess
import sys
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field, replace
from importlib import import_module
from pathlib import Path

import pytest
from django.core.management import call_command

from harness.redis_topology import Cluster
from harness.testing import RedisServer

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "tests" / "copy_project"
WIRING = PROJECT / "wiring"
pytestmark = [pytest.mark.real_redis, pytest.mark.slow]

AUTHENTICATION_QUERIES = {"anonymous": 0, "token": 1, "session": 2}
NO_QUERIES = {"anonymous": 0, "token": 0, "session": 0}
FAIL_OPEN = {"IGNORE_EXCEPTIONS": True}


@dataclass(frozen=True)
class Promises:
    """What a recipe's page promises in the reader's project, and the contract that checks it.

    ``contract`` names a test case of ``copy_project/contract.py``, run by Django's test
    runner, or (``runner="pytest"``) the reader's own pytest module the page shows;
    ``cache_options`` are the django-redis options the page says are required; ``builds_on``
    names the recipe whose wiring the page builds on (copied as ``<recipe>_views.py``, with
    its copy unit); ``also`` names recipes copied beside it as their pages say (copy unit,
    settings, apps.py), without views; ``answers_early``: a hit read before is answered
    before DRF's dispatch.
    """

    contract: str
    after_write: str = "fresh"  # or "stale": served until the entry expires
    hit_queries: dict[str, int] | None = None
    queries_saved: int | None = None
    cache_options: dict = field(default_factory=dict)
    anonymous_list: tuple[str, ...] = ()
    views: str | None = None  # the wiring used as views.py, when not the recipe's own
    urls: str | None = None  # the wiring used as urls.py, when not the recipe's own
    builds_on: str | None = None
    runner: str = "django"
    outside_api: str = "stale"  # after ORM writes outside the views: "fresh" if seen
    raw_sql: str = "stale"  # after SQL through Django's connection: "fresh" if seen
    # after a write Redis missed, once it is back with its entries: "fresh" if relayed
    after_outage: str = "stale"
    also: tuple[str, ...] = ()
    answers_early: bool = False
    # "asgi": the contract's requests go through the ASGI handler, as uvicorn serves them
    server: str = "wsgi"

    def as_json(self) -> str:
        return json.dumps({k: v for k, v in asdict(self).items() if v is not None})


@dataclass(frozen=True)
class Shape:
    """A reader's project: its app, the folder of files where it differs from the articles
    project, and the names its reader puts in place of the page's placeholders."""

    app: str
    differs_in: Path | None = None
    renames: tuple[tuple[str, str], ...] = ()  # (pattern, replacement), in order

    def rename(self, text: str) -> str:
        for pattern, replacement in self.renames:
            text = re.sub(pattern, replacement, text)
        return text

    def source(self, name: str, default: Path) -> Path:
        """Return this project's own ``name`` if it has one, else ``default``."""
        own = self.differs_in / name if self.differs_in else None
        return own if own and own.exists() else default

    def text(self, source: Path) -> str:
        """Return ``source`` in this project's names, unless it is this project's own."""
        own = self.differs_in is not None and source.parent == self.differs_in
        return source.read_text() if own else self.rename(source.read_text())

    def write(self, source: Path, target: Path) -> None:
        target.write_text(self.text(source))


SHAPES = {
    # UUID keys, a flat HyperlinkedModelSerializer, paginated lists: the names the pages use
    "articles": Shape("articles"),
    # integer keys, a nested ModelSerializer, plain lists, and every name different
    "products": Shape(
        "products",
        PROJECT / "products",
        renames=(
            ("ARTICLE", "PRODUCT"),
            ("Article", "Product"),
            ("article", "product"),
            (r"\bTag\b", "Label"),
            (r"\btags\b", "labels"),
            (r"\btitle\b", "name"),
            ("starred_by", "saved_by"),
            ("is_starred", "is_saved"),
            ("starred", "saved"),
            ("star(?!t)", "save"),
            ("miss_queries=6", "miss_queries=5"),  # the reader's own count: no COUNT(*)
        ),
    ),
}


# --8<-- [start:promises]
PROMISES = {
    "cache_page": Promises(  # in front of DRF: a hit checks no credential at all
        "ResponseCacheContract",
        "stale",
        NO_QUERIES,
        cache_options=FAIL_OPEN,
        answers_early=True,
    ),
    "middleware": Promises(
        "ResponseCacheContract",
        "stale",
        AUTHENTICATION_QUERIES,
        cache_options=FAIL_OPEN,
    ),
    "manual_keys": Promises(
        "ResponseCacheContract", hit_queries=AUTHENTICATION_QUERIES
    ),
    "versioning": Promises(  # with the auth-cache recipe: its hits answered early
        "ResponseCacheContract",
        hit_queries=NO_QUERIES,
        cache_options=FAIL_OPEN,
        also=("auth_cache",),
        answers_early=True,
    ),
    "signals": Promises(
        "ResponseCacheContract",
        hit_queries=AUTHENTICATION_QUERIES,
        cache_options=FAIL_OPEN,
        outside_api="fresh",
    ),
    "tracked": Promises(  # fails open by itself; a hit is answered before DRF's dispatch
        "ResponseCacheContract",
        hit_queries=NO_QUERIES,
        outside_api="fresh",
        raw_sql="fresh",
        after_outage="fresh",  # its outbox
        answers_early=True,
    ),
    "async_cache": Promises(  # the tracked recipe's, its hits answered on the loop
        "ResponseCacheContract",
        hit_queries=NO_QUERIES,
        outside_api="fresh",
        raw_sql="fresh",
        after_outage="fresh",
        also=("tracked",),
        answers_early=True,
        server="asgi",
    ),
    "stampede": Promises(
        "ResponseCacheContract",
        hit_queries=AUTHENTICATION_QUERIES,
        cache_options=FAIL_OPEN,
        builds_on="versioning",
    ),
    "serializer_fields": Promises(  # the writes outside the API touch no cached field
        "ResponseCacheContract",
        queries_saved=1,
        cache_options=FAIL_OPEN,
        outside_api="fresh",
        raw_sql="fresh",
        after_outage="fresh",  # the title is not a cached field
    ),
    "redis_config": Promises(  # its CACHES entry fails open by itself
        "ResponseCacheContract",
        hit_queries=AUTHENTICATION_QUERIES,
        views="versioning",
        builds_on="versioning",
    ),
    "conditional": Promises(
        "ConditionalContract",
        hit_queries=AUTHENTICATION_QUERIES,
        cache_options=FAIL_OPEN,
        builds_on="signals",
    ),
    "auth_cache": Promises(  # with the middleware recipe: a hit costs no query at all
        "AuthCacheContract",
        "stale",
        NO_QUERIES,
        cache_options=FAIL_OPEN,
        views="middleware",
        builds_on="middleware",
        answers_early=True,
    ),
    "testing": Promises(  # the reader's own tests, on real Redis and on fakeredis
        "articles/test_cache.py",
        views="versioning",
        builds_on="versioning",
        cache_options=FAIL_OPEN,
        runner="pytest",
    ),
    "cache_check": Promises(  # the reader's check, on versioning's wiring, then planted
        "articles/test_cache_check.py",
        views="versioning",
        builds_on="versioning",
        cache_options=FAIL_OPEN,
        runner="cache-check",
    ),
    "monitoring": Promises(  # counting what the versioning recipe's cache does
        "MonitoringContract",
        views="versioning",
        builds_on="versioning",
        cache_options=FAIL_OPEN,
    ),
    "warming": Promises(  # warming the versioning recipe's entries
        "WarmingContract",
        views="versioning",
        builds_on="versioning",
        cache_options=FAIL_OPEN,
    ),
    "memory": Promises(  # sizing the versioning recipe's keys, checking the policy
        "MemoryContract",
        views="versioning",
        builds_on="versioning",
        cache_options=FAIL_OPEN,
    ),
    "scale_out": Promises(  # the versioning recipe's cache on a Redis Cluster
        "ResponseCacheContract",
        hit_queries=AUTHENTICATION_QUERIES,
        views="versioning",
        builds_on="versioning",
    ),
    "cdn": Promises("SharedCacheContract", builds_on="tracked"),  # purges, tags
    "cache_control": Promises(
        "HeadersContract",
        anonymous_list=(
            "public",
            "max-age=30",
            "s-maxage=60",
            "stale-while-revalidate=30",
        ),
    ),
}
# --8<-- [end:promises]


def copy_unit(recipe: str) -> tuple[str, ...]:
    """Return the files and folders a recipe's page tells a reader to copy."""
    return import_module(f"recipes.{recipe}").COPY_UNIT


def copy_into(app: Path, recipe: str) -> None:
    """Copy exactly the recipe's copy unit into ``app``, under the names it has here: a
    recipe's own module beside the app's, a module of a shared folder (``versioned/``) in
    a folder of that name."""
    for unit in copy_unit(recipe):
        source = ROOT / unit
        if source.is_dir():
            shutil.copytree(
                source,
                app / source.name,
                dirs_exist_ok=True,
                ignore=shutil.ignore_patterns("__pycache__"),
            )
        elif shared_folder(source):
            (app / source.parent.name).mkdir(exist_ok=True)
            shutil.copy(source, app / source.parent.name / source.name)
        else:
            shutil.copy(source, app / source.name)


def shared_folder(source: Path) -> bool:
    """Whether ``source`` is in a folder that several recipes copy from (not a recipe)."""
    package = import_module(f"recipes.{source.parent.name}")
    return not hasattr(package, "SLUG")


def build_project(
    root: Path,
    recipe: str,
    promises: Promises,
    shape: Shape = SHAPES["articles"],
    *,
    own_models: bool = True,
) -> Path:
    """Start a project, add its app, copy the recipe's files, wire them up in the project's
    names (``own_models=False`` leaves out the models.py a page shows: a step skipped)."""
    copied = (promises.builds_on, *promises.also, recipe)
    root.mkdir(parents=True)
    # Django's own command, as ``django-admin startproject`` runs it, in this process: a
    # process of its own would cost a second of imports per project.
    call_command("startproject", "shop", str(root), verbosity=0)
    settings = root / "shop" / "settings.py"
    extra = [
        PROJECT / "settings_extra.py",
        shape.source("settings_extra.py", PROJECT / "settings_extra.py"),
        *(WIRING / f"{name}_settings.py" for name in copied if name),
    ]
    settings.write_text(
        settings.read_text()
        + "".join(f"\n{shape.text(p)}" for p in dict.fromkeys(extra) if p.exists())
    )
    urls = WIRING / f"{promises.urls or recipe}_urls.py"
    shape.write(
        urls if urls.exists() else PROJECT / "urls.py", root / "shop" / "urls.py"
    )
    app = root / shape.app
    (app / "migrations").mkdir(parents=True)
    for name in ("__init__.py", "migrations/__init__.py"):
        (app / name).write_text("")
    for name in ("models.py", "serializers.py", "base_views.py"):
        shape.write(shape.source(name, PROJECT / name), app / name)
    for name in copied:  # the page's own models.py, if it has one
        models = WIRING / f"{name}_models.py"
        if name and models.exists() and own_models:
            shape.write(shape.source(models.name, models), app / "models.py")
        tail = WIRING / f"{name}_models_tail.py"  # or the lines it adds to yours
        if name and tail.exists():
            text = (app / "models.py").read_text() + "\n" + shape.text(tail)
            (app / "models.py").write_text(text)
    shape.write(WIRING / f"{promises.views or recipe}.py", app / "views.py")
    for name in copied:  # the recipe's own apps.py, if it has one
        if name and (WIRING / f"{name}_apps.py").exists():
            shape.write(WIRING / f"{name}_apps.py", app / "apps.py")
    if promises.builds_on:
        shape.write(
            WIRING / f"{promises.builds_on}.py", app / f"{promises.builds_on}_views.py"
        )
        copy_into(app, promises.builds_on)
    for name in promises.also:
        copy_into(app, name)
    shape.write(PROJECT / "contract.py", app / "tests.py")
    for name in copied:
        if name and (WIRING / f"{name}_command.py").exists():
            add_command(app, shape, WIRING / f"{name}_command.py")
    if promises.runner in ("pytest", "cache-check"):
        shape.write(WIRING / f"{recipe}_conftest.py", root / "conftest.py")
        shape.write(
            WIRING / f"{recipe}_tests.py", root / shape.rename(promises.contract)
        )
    copy_into(app, recipe)
    # Any import of the cookbook itself fails: the copy must stand alone.
    (root / "recipes.py").write_text(
        'raise ImportError("a copied recipe imported the cookbook")\n'
    )
    return root


def add_command(app: Path, shape: Shape, wiring: Path) -> None:
    """Write a page's command where its first line says (``app/management/...``)."""
    path = shape.rename(wiring.read_text().split(":", 1)[0].strip('"'))
    command = app.parent / path
    command.parent.mkdir(parents=True, exist_ok=True)
    for package in (command.parent.parent, command.parent):
        (package / "__init__.py").touch()
    shape.write(wiring, command)


@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("recipe", sorted(PROMISES))
def test_a_copied_recipe_keeps_its_promises_in_another_project(
    recipe, shape, redis_server: RedisServer, tmp_path
):
    promises, shape = PROMISES[recipe], SHAPES[shape]
    project = build_project(tmp_path / "project", recipe, promises, shape)
    env = copied_project_env(promises, redis_server)
    topology = ExitStack()
    if recipe == "scale_out":
        cluster = topology.enter_context(Cluster(tmp_path / "cluster"))
        env["REDIS_CLUSTER_URLS"] = ",".join(cluster.urls)
    with topology:
        keeps_its_promises(project, promises, shape, env, redis_server)


# The async-cache recipe's other mixin, on adrf's ViewSets: hits through adrf's dispatch,
# which authenticates with the project's own (uncached) authentication.
ADRF_HANDLERS = replace(
    PROMISES["async_cache"],
    views="async_cache_adrf",
    urls="async_cache_adrf",
    hit_queries=AUTHENTICATION_QUERIES,
    answers_early=False,
)


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_adrf_handlers_keep_the_promises_in_another_project(
    shape, redis_server: RedisServer, tmp_path
):
    shape = SHAPES[shape]
    project = build_project(tmp_path / "project", "async_cache", ADRF_HANDLERS, shape)
    env = copied_project_env(ADRF_HANDLERS, redis_server)
    keeps_its_promises(project, ADRF_HANDLERS, shape, env, redis_server)


def copied_project_env(promises: Promises, redis_server: RedisServer) -> dict[str, str]:
    """Return the environment the generated project runs in: its Redis, its promises."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL", "DATABASE_URL")
    }
    return env | {
        "REDIS_URL": f"redis://127.0.0.1:{redis_server.port}/2",
        "COPY_PROMISES": promises.as_json(),
        "COPY_CACHE_OPTIONS": json.dumps(promises.cache_options),
    }


def keeps_its_promises(
    project: Path,
    promises: Promises,
    shape: Shape,
    env: dict[str, str],
    redis_server: RedisServer,
) -> None:
    """Run the contract the recipe promises in the built ``project``."""

    def manage(*args: str) -> subprocess.CompletedProcess:
        return run_in(project, env, "manage.py", *args)

    made = manage("makemigrations", shape.app)
    assert made.returncode == 0, made.stderr
    if promises.runner == "pytest":
        assert_own_tests_pass(
            project, shape.rename(promises.contract), env, redis_server, shape
        )
        return
    if promises.runner == "cache-check":
        assert_the_check_finds_a_planted_stale_dependency(
            project, shape.rename(promises.contract), env, shape
        )
        return
    tested = manage(
        "test", f"{shape.app}.tests.{promises.contract}", "--noinput", "-v", "2"
    )
    assert tested.returncode == 0, tested.stderr[-6000:]
    assert " ... ok" in tested.stderr
    assert "skipped" not in tested.stderr


def assert_own_tests_pass(
    project: Path,
    tests: str,
    env: dict[str, str],
    redis_server: RedisServer,
    shape: Shape,
) -> None:
    """Run the project's own pytest suite on fakeredis, and on a real Redis with two xdist
    workers, a database each. A test that moves the clock can run only on fakeredis. The
    real Redis run is the same in either shape (it tells workers apart, not names): it runs
    in the shape whose every name differs from the page's."""
    env = {k: v for k, v in env.items() if not k.startswith(("PYTEST_", "COV_"))}
    on_fakeredis = run_pytest(project, tests, env, workers=0)
    assert on_fakeredis.returncode == 0, on_fakeredis.stdout[-6000:]
    assert "3 passed" in on_fakeredis.stdout, on_fakeredis.stdout[-2000:]
    if shape.differs_in is None:
        return

    env["TEST_REDIS_URL"] = f"redis://127.0.0.1:{redis_server.port}/3"
    on_redis = run_pytest(project, tests, env, workers=2)
    assert on_redis.returncode == 1, on_redis.stdout[-6000:]
    assert "2 passed, 1 error" in on_redis.stdout, on_redis.stdout[-2000:]
    assert "expires entries by its server's clock" in on_redis.stdout


def assert_the_check_finds_a_planted_stale_dependency(
    project: Path, tests: str, env: dict[str, str], shape: Shape
) -> None:
    """The reader's check passes on the versioning recipe's wiring; with the caller's
    namespace forgotten in ``cache_namespaces``, it fails on a stale per-user field. The
    failure is planted in the shape whose every name differs from the page's: finding it
    there finds it in the other too, and each search costs a shrinking run."""
    env = {k: v for k, v in env.items() if not k.startswith(("PYTEST_", "COV_"))}
    passing = run_pytest(project, tests, env, workers=0)
    assert passing.returncode == 0, passing.stdout[-6000:]
    assert "1 passed" in passing.stdout, passing.stdout[-2000:]
    if shape.differs_in is None:
        return

    views = project / shape.app / "views.py"
    wired = views.read_text()
    planted = re.sub(
        r"return (\{\"\w+\"\}) \| \(.*\)$", r"return \1", wired, flags=re.M
    )
    assert planted != wired
    views.write_text(planted)
    failing = run_pytest(project, tests, env, workers=0)
    assert failing.returncode == 1, failing.stdout[-6000:]
    assert "the cached answer differs" in failing.stdout, failing.stdout[-6000:]
    assert shape.rename("is_starred") in failing.stdout, failing.stdout[-6000:]


def run_pytest(
    project: Path, tests: str, env: dict[str, str], *, workers: int
) -> subprocess.CompletedProcess:
    return run_in(
        project,
        env,
        *("-m", "pytest", tests, "-p", "xdist", "-n", str(workers)),
        *("--ds", "shop.settings", "-p", "no:cacheprovider", "-o", "addopts="),
    )


def run_in(
    project: Path, env: dict[str, str], *args: str
) -> subprocess.CompletedProcess:
    """Run ``python <args>`` in the generated project, and capture what it says."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_every_recipe_is_copied_and_proven():
    from django.conf import settings

    listed = settings.COOKBOOK_RECIPES + settings.COOKBOOK_TOOLS
    assert {name.removeprefix("recipes.") for name in listed} == set(PROMISES)


def test_the_signals_page_s_queryset_step_is_what_makes_bulk_writes_fresh(
    redis_server: RedisServer, tmp_path
):
    """Skip the page's models.py step: ``update()`` and ``bulk_create()`` send no signal,
    and the copied project serves stale reads after them."""
    promises = PROMISES["signals"]
    project = build_project(tmp_path / "project", "signals", promises, own_models=False)
    env = copied_project_env(promises, redis_server)
    assert (
        run_in(project, env, "manage.py", "makemigrations", "articles").returncode == 0
    )

    tested = run_in(
        project,
        env,
        "manage.py",
        "test",
        "articles.tests.ResponseCacheContract."
        "test_writes_outside_the_api_are_followed_by_what_the_page_promises",
        "--noinput",
    )

    assert tested.returncode == 1
    assert "AssertionError" in tested.stderr
    assert "update()" in tested.stderr
