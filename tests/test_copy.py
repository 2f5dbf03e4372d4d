"""Each recipe copied into a project that is not the bookshop, as its page says, and proven
there with that project's own test runner (``tests/copy_project/``)."""

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from recipes.bookshop.testing import RedisServer

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "tests" / "copy_project"
pytestmark = [pytest.mark.real_redis, pytest.mark.slow]

AUTHENTICATION_QUERIES = {"anonymous": 0, "token": 1, "session": 2}
NO_QUERIES = {"anonymous": 0, "token": 0, "session": 0}
FAIL_OPEN = {"IGNORE_EXCEPTIONS": True}


@dataclass(frozen=True)
class CopyUnit:
    """What a recipe's page tells a reader to copy, and what it promises afterwards."""

    files: tuple[str, ...]
    hit_queries: dict[str, int]
    after_write: str  # "fresh", or "stale" until the entry expires
    cache_options: dict = field(default_factory=dict)  # settings the page requires

    def promises(self) -> str:
        return json.dumps(
            {
                "hit_queries": self.hit_queries,
                "after_write": self.after_write,
                "cache_options": self.cache_options,
            }
        )


# --8<-- [start:copy_units]
COPY_UNITS = {
    "cache_page": CopyUnit(
        ("recipes/cache_page/caching.py",), NO_QUERIES, "stale", FAIL_OPEN
    ),
    "middleware": CopyUnit(
        ("recipes/middleware/caching.py",), AUTHENTICATION_QUERIES, "stale", FAIL_OPEN
    ),
    "manual_keys": CopyUnit(
        ("recipes/manual_keys/caching.py",), AUTHENTICATION_QUERIES, "fresh"
    ),
    "versioning": CopyUnit(
        ("recipes/versioning/caching.py",), AUTHENTICATION_QUERIES, "fresh", FAIL_OPEN
    ),
}
# --8<-- [end:copy_units]


def build_project(root: Path, recipe: str, unit: CopyUnit) -> Path:
    """Start a project, add the articles app, copy the recipe's files, wire them up."""
    root.mkdir(parents=True)
    subprocess.run(
        [sys.executable, "-m", "django", "startproject", "shop", str(root)],
        check=True,
        capture_output=True,
    )
    settings = root / "shop" / "settings.py"
    extra = [
        PROJECT / "settings_extra.py",
        PROJECT / "wiring" / f"{recipe}_settings.py",
    ]
    settings.write_text(
        settings.read_text()
        + "".join(f"\n{p.read_text()}" for p in extra if p.exists())
    )
    shutil.copy(PROJECT / "urls.py", root / "shop" / "urls.py")
    app = root / "articles"
    (app / "migrations").mkdir(parents=True)
    for name in ("__init__.py", "migrations/__init__.py"):
        (app / name).write_text("")
    for name in ("models.py", "serializers.py", "base_views.py"):
        shutil.copy(PROJECT / name, app / name)
    shutil.copy(PROJECT / "wiring" / f"{recipe}.py", app / "views.py")
    shutil.copy(PROJECT / "contract.py", app / "tests.py")
    for path in unit.files:  # exactly what the page names
        shutil.copy(ROOT / path, app / Path(path).name)
    # Any import of the cookbook itself fails: the copy must stand alone.
    (root / "recipes.py").write_text(
        'raise ImportError("a copied recipe imported the cookbook")\n'
    )
    return root


@pytest.mark.parametrize("recipe", sorted(COPY_UNITS))
def test_a_copied_recipe_keeps_its_promises_in_another_project(
    recipe, redis_server: RedisServer, tmp_path
):
    unit = COPY_UNITS[recipe]
    project = build_project(tmp_path / "project", recipe, unit)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL", "DATABASE_URL")
    }
    env |= {
        "REDIS_URL": f"redis://127.0.0.1:{redis_server.port}/2",
        "COPY_PROMISES": unit.promises(),
    }

    def manage(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    made = manage("makemigrations", "articles")
    assert made.returncode == 0, made.stderr
    tested = manage("test", "articles", "--noinput", "-v", "2")
    assert tested.returncode == 0, tested.stderr[-6000:]
    assert "Ran 5 tests" in tested.stderr
