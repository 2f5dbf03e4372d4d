"""The site builds strictly, executes its notebooks, and refuses a snippet that points nowhere."""

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def mkdocs_build(config: Path, site: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-f",
            str(config),
            "-d",
            str(site),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """Build the real site once for this module's tests."""
    site = tmp_path_factory.mktemp("site")
    result = mkdocs_build(ROOT / "mkdocs.yml", site)
    assert result.returncode == 0, result.stderr
    return site


def page_text(site: Path, page: str) -> str:
    """Return a built page's text, without its HTML tags (code is split into spans)."""
    return html.unescape(
        re.sub(r"<[^>]+>", "", (site / page / "index.html").read_text())
    )


def test_recipe_page_shows_code_and_tests_from_the_modules(site):
    text = page_text(site, "recipes/cache-page")

    assert "class CachePageMixin:" in text
    assert "def test_no_client_is_served_another_clients_favorites(" in text


def test_notebook_is_rendered_from_a_fresh_execution(site):
    text = page_text(site, "notebooks/cache_page")

    assert re.search(r"a hit is \d+x faster", text)  # output only an execution produces
    assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in text  # the setup cell is hidden


def test_a_snippet_section_that_does_not_exist_fails_the_build(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text(
        '```python\n--8<-- "recipes/cache_page/caching.py:no_such_section"\n```\n'
    )
    real = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    extensions = [
        {"pymdownx.snippets": {**ext["pymdownx.snippets"], "base_path": [str(ROOT)]}}
        if isinstance(ext, dict) and "pymdownx.snippets" in ext
        else ext
        for ext in real["markdown_extensions"]
    ]
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        yaml.safe_dump(
            {"site_name": "t", "docs_dir": str(docs), "markdown_extensions": extensions}
        )
    )

    result = mkdocs_build(config, tmp_path / "site")

    assert result.returncode != 0
    assert "no_such_section" in result.stderr
