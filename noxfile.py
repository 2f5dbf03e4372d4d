"""Every way to run the cookbook: ``nox -s <session>``, or ``python3 noxfile.py -s <session>``.

Sessions: ``serve`` (the docs site, live), ``tests`` (lint, then the whole suite; arguments
after ``--`` go to pytest, and a recipe's package name, ``-- cache_page``, runs its tests),
``copy`` (every recipe copied into a generated project, and checked there), ``coverage`` (the
suite, with a coverage report), ``docs`` (strict build), ``demo`` (the seeded demo API),
``story`` (one recipe's notebook, in a terminal), ``bench`` (regenerate the docs' numbers),
``lint``, and ``compat-django-5.2`` and ``compat-django-6`` (the recipes' own tests on each
supported Django, with the newest DRF, django-redis and redis-py).

Run as a script on a machine that has only Python, this file first installs nox (and uv, with
which nox then makes each session's environment) into ``.nox/.bootstrap``, and then runs
itself with it.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def _run_with_bootstrapped_nox() -> None:
    """Install nox into a private virtual environment, then run this noxfile with it."""
    import venv

    home = ROOT / ".nox" / ".bootstrap"
    python = home / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if not python.exists():
        venv.create(home, with_pip=True)
        subprocess.run(
            # nox[uv]: nox then makes its environments with uv, several times faster.
            [python, "-m", "pip", "install", "--quiet", "nox[uv]>=2024.10.9"],
            check=True,
        )
    os.chdir(ROOT)
    completed = subprocess.run(
        [python, "-m", "nox", "-f", str(ROOT / "noxfile.py"), *sys.argv[1:]]
    )
    raise SystemExit(completed.returncode)


try:
    import nox
except ModuleNotFoundError:
    if __name__ != "__main__":
        raise
    _run_with_bootstrapped_nox()

nox.options.default_venv_backend = "uv|virtualenv"
# uv, unlike pip, leaves modules uncompiled; where PYTHONDONTWRITEBYTECODE is set, every
# process (each notebook's kernel, each server) would then compile Django again.
os.environ.setdefault("UV_COMPILE_BYTECODE", "1")
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["tests"]

DEMO_ADDRESS = "127.0.0.1:8000"
NOTEBOOKS = ROOT / "notebooks"


@nox.session
def tests(session: nox.Session) -> None:
    """Lint, then run every test: recipes, docs build, notebooks, demo server, real Redis."""
    session.install("-e", ".[test,docs,lint,bench]")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    run_pytest(session)


@nox.session
def coverage(session: nox.Session) -> None:
    """The whole suite under coverage (slower by a fifth), with the lines no test runs."""
    session.install("-e", ".[test,docs,bench]")
    run_pytest(session, "--cov", "--cov-report=term")


@nox.session
def copy(session: nox.Session) -> None:
    """Copy each recipe into a generated project and check its page's promises there."""
    session.install("-e", ".[test]")
    run_pytest(session, "tests/test_copy.py")


def run_pytest(session: nox.Session, *options: str) -> None:
    """Run pytest on every core, with ``options`` and the session's arguments."""
    session.run(
        "pytest",
        "--numprocesses=auto",  # one worker per core; `-- -n 0` runs in one process
        "--dist=loadgroup",  # a module marked xdist_group starts its server on one worker
        *options,
        *map(recipe_tests, session.posargs),
        env={"NO_MKDOCS_2_WARNING": "1"},
    )


def recipe_tests(argument: str) -> str:
    """A recipe's package name or page slug (``cache_page``, ``cache-page``) names its
    tests, ``recipes/cache_page``; any other argument goes to pytest as it is."""
    package = argument.replace("-", "_")
    if "/" not in argument and (ROOT / "recipes" / package / "tests").is_dir():
        return f"recipes/{package}"
    return argument


def interpreter(version: str) -> str:
    """Return a Python ``version`` that runs: ``python3.12`` on the PATH, or, where that
    is a pyenv shim for a version pyenv does not enable, pyenv's own interpreter."""
    pyenv = Path.home() / ".pyenv" / "versions"
    for candidate in [
        shutil.which(f"python{version}"),
        *sorted(pyenv.glob(f"{version}.*/bin/python{version}"), reverse=True),
    ]:
        ran = candidate and subprocess.run([candidate, "-c", ""], capture_output=True)
        if ran and ran.returncode == 0:
            return str(candidate)
    return f"python{version}"  # nox says it is missing


SUPPORTED = {  # Django: the oldest Python it supports, with the newest of the rest
    "5.2": ("3.11", "django>=5.2.19,<6"),
    "6": ("3.12", "django>=6,<7"),
}


def compat(session: nox.Session, django: str) -> None:
    """The recipes' own tests on one supported Django, with the newest DRF, django-redis
    and redis-py: what a reader's project will run."""
    session.install("-e", ".[test]")
    newest = ["djangorestframework", "django-redis", "redis"]
    session.install("--upgrade", SUPPORTED[django][1], *newest)
    session.run("python", "-c", VERSIONS)
    run_pytest(session, "recipes")


VERSIONS = (
    "import sys, django, rest_framework, django_redis, redis; "
    "print('Python', sys.version.split()[0], '- Django', django.__version__, "
    "'- DRF', rest_framework.__version__, '- django-redis', django_redis.__version__, "
    "'- redis-py', redis.__version__)"
)


@nox.session(name="compat-django-5.2", python=interpreter("3.11"))
def compat_django_5_2(session: nox.Session) -> None:
    """The recipes' own tests on Django 5.2 LTS (Python 3.11)."""
    compat(session, "5.2")


@nox.session(name="compat-django-6", python=interpreter("3.12"))
def compat_django_6(session: nox.Session) -> None:
    """The recipes' own tests on the newest Django 6 (Python 3.12)."""
    compat(session, "6")


@nox.session
def serve(session: nox.Session) -> None:
    """Serve the docs site with live reload at http://127.0.0.1:8001."""
    session.install("-e", ".[docs]")
    session.run("mkdocs", "serve", *session.posargs, env={"NO_MKDOCS_2_WARNING": "1"})


@nox.session
def docs(session: nox.Session) -> None:
    """Build the docs site strictly into ``site/``, every notebook executed afresh: a
    missing snippet or a failing cell fails the build."""
    session.install("-e", ".[docs]")
    session.run(
        "mkdocs",
        "build",
        "--strict",
        *session.posargs,
        # An empty notebook cache: every notebook executes afresh.
        env={"NO_MKDOCS_2_WARNING": "1", "NOTEBOOK_CACHE": tempfile.mkdtemp()},
    )


@nox.session
def demo(session: nox.Session) -> None:
    """Migrate, seed and serve the demo API at http://127.0.0.1:8000/api/recipes/."""
    session.install("-e", ".")
    size = session.posargs[0] if session.posargs else "small"
    session.run("python", "-m", "recipes", "migrate", "--verbosity", "0")
    session.run("python", "-m", "recipes", "seed", "--size", size)
    session.run("python", "-m", "recipes", "runserver", DEMO_ADDRESS)


@nox.session
def lab(session: nox.Session) -> None:
    """Open the notebooks in JupyterLab (http://127.0.0.1:8888/lab) with a kernel that
    imports the recipes; no server to start: each notebook's bookshop is in memory.
    Arguments replace JupyterLab's: ``-- execute notebooks/cache_page.ipynb`` runs one
    notebook in this environment's kernel."""
    session.install("-e", ".[lab]")
    arguments = session.posargs or [
        "lab",
        "--ip=127.0.0.1",
        f"--notebook-dir={NOTEBOOKS}",
    ]
    session.run("jupyter", *arguments)


@nox.session
def story(session: nox.Session) -> None:
    """Run one recipe's notebook in the terminal: ``-- cache_page`` (the package name)."""
    session.install("-e", ".[docs]")  # what the notebooks import: matplotlib
    recipe = session.posargs[0] if session.posargs else "cache_page"
    session.run("python", "-m", f"recipes.{recipe}")


@nox.session
def bench(session: nox.Session) -> None:
    """Measure every benchmark scenario and rewrite the tables the docs include."""
    session.install("-e", ".[test,bench]")  # the stampede bursts: gunicorn, requests
    # A hit is tenths of a millisecond: more rounds, so that its medians settle.
    repeats = {"hits": "100", "monitoring": "200", "scale-out": "200", "asgi": "20"}
    for scenario in (
        "serializer-fields",
        "redis-config",
        "stampede",
        "hits",
        "monitoring",
        "memory",
        "scale-out",
        "workload",
        "shared-cache",
        "cache-check",
        "asgi",
    ):
        session.run(
            "python",
            "-m",
            "harness.bench",
            scenario,
            "--repeat",
            repeats.get(scenario, "30"),
            "--write",
            f"docs/includes/numbers/{scenario}.md",
            *(["--chart", "docs/charts/hits.svg"] if scenario == "hits" else []),
        )


@nox.session
def lint(session: nox.Session) -> None:
    """Check the code with ruff (lint rules and formatting)."""
    session.install("-e", ".[lint]")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


if __name__ == "__main__":
    nox.main()
