"""The site builds strictly, executes its notebooks, and refuses a snippet that points nowhere."""

import html
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from harness.site import mkdocs_build

ROOT = Path(__file__).resolve().parent.parent
# One worker runs this module: the site is built once, for all of its tests.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("site")]


def page_text(site: Path, page: str) -> str:
    """Return a built page's text, without its HTML tags (code is split into spans)."""
    return html.unescape(
        re.sub(r"<[^>]+>", "", (site / page / "index.html").read_text())
    )


def test_recipe_page_shows_code_and_tests_from_the_modules(site):
    text = page_text(site, "recipes/cache-page")

    assert "class CachePageMixin:" in text
    assert "def test_no_caller_is_served_another_callers_favorites(" in text


def test_notebook_is_rendered_from_a_fresh_execution(site):
    text = page_text(site, "notebooks/cache_page")

    assert re.search(r"a hit is \d+x faster", text)  # output only an execution produces
    assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in text  # the setup cell is hidden


@pytest.mark.parametrize("notebook", ["middleware", "monitoring"])
def test_a_notebook_chart_is_drawn_when_the_site_is_built(site, notebook):
    built = (site / "notebooks" / notebook / "index.html").read_text()
    images = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", built)

    assert any(len(image) > 5_000 for image in images)  # a plot, not the page's icons


def test_a_rebuild_with_the_same_code_serves_every_notebook_from_the_cache(
    site, tmp_path
):
    """What ``serve`` does on a page edit: no notebook runs again."""
    rebuilt = mkdocs_build(ROOT / "mkdocs.yml", tmp_path / "site")

    assert rebuilt.returncode == 0, rebuilt.stderr
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert rebuilt.stderr.count("Cache hit") == len(notebooks)


@pytest.mark.parametrize(
    "notebook", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda path: path.stem
)
def test_every_notebook_ran_its_requests_when_the_site_was_built(site, notebook):
    """The build executes each notebook once, on a fresh kernel (an error fails it)."""
    text = page_text(site, f"notebooks/{notebook.stem}")

    assert re.search(r"\bGET /api/", text)  # outputs of requests it ran
    assert re.search(r"cache \w+ +\d+ queries", text)
    assert "Traceback" not in text


def test_a_snippet_section_that_does_not_exist_fails_the_build(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text(
        '```python\n--8<-- "recipes/cache_page/cache_page_mixin.py:no_such_section"\n```\n'
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


class Links(HTMLParser):
    """The ``href`` of every link in a page, and every ``id`` it defines."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if tag == "a" and attributes.get("href"):
            self.hrefs.append(attributes["href"])


def parsed(page: Path) -> Links:
    links = Links()
    links.feed(page.read_text())
    return links


def broken_links(site: Path) -> list[str]:
    """Return every internal link of the built site whose page or anchor does not exist."""
    pages = {page: parsed(page) for page in site.rglob("*.html")}
    broken = []
    for page, links in pages.items():
        for href in links.hrefs:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith(("mailto:", "data:")):
                continue
            path = unquote(parts.path)
            base = site if path.startswith("/") else page.parent  # the 404 page's links
            target = (base / path.lstrip("/")).resolve() if path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(site)}: {href}")
            elif (
                parts.fragment
                and target in pages
                and unquote(parts.fragment) not in pages[target].ids
            ):
                broken.append(f"{page.relative_to(site)}: {href} (no such anchor)")
    return broken


def test_every_internal_link_and_anchor_of_the_site_exists(site):
    assert broken_links(site) == []
