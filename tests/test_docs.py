"""The site builds strictly, executes its notebooks, and refuses a snippet that points nowhere."""

import html
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from mkdocs.config import load_config
from mkdocs.structure.files import get_files
from mkdocs.utils.yaml import yaml_load  # mkdocs.yml's !ENV tags

from harness.site import PUBLISHED, a_miss_is_followed_by_a_cheaper_hit, mkdocs_build
from mkdocs_hooks import uncached_notebooks

ROOT = Path(__file__).resolve().parent.parent
# One worker runs this module and the browser tests (one xdist group): the site is built
# once, for both, while the other worker runs the rest of the suite. Its fixtures last the
# session: a test of another module run between two of these would otherwise tear them
# down, and the next would build again.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("site")]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def page_text(site: Path, page: str) -> str:
    """Return a built page's text, without its HTML tags (code is split into spans)."""
    return html.unescape(
        re.sub(r"<[^>]+>", "", (site / page / "index.html").read_text())
    )


def test_recipe_page_shows_code_and_tests_from_the_modules(site):
    text = page_text(site, "recipes/cache-page")

    assert "class CachePageMixin:" in text
    assert "def test_naive_serves_alices_favorites_to_bob(" in text
    promises = page_text(site, "promises")
    assert "def test_no_caller_is_served_another_callers_favorites(" in promises


def test_notebook_is_rendered_from_a_fresh_execution(site):
    text = page_text(site, "notebooks/cache_page")

    assert re.search(r"a hit is \d+x faster", text)  # output only an execution produces
    assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in text  # the setup cell is sandbox.start()


@pytest.mark.parametrize(
    "notebook",
    [
        "cache_page",
        "conditional",
        "manual_keys",
        "middleware",
        "monitoring",
        "signals",
        "versioning",
    ],
)
def test_a_notebook_chart_is_drawn_when_the_site_is_built(site, notebook):
    built = (site / "notebooks" / notebook / "index.html").read_text()
    images = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", built)

    assert any(len(image) > 5_000 for image in images)  # a plot, not the page's icons


def test_the_plugin_renders_every_notebook_from_the_cache_the_hooks_filled(site):
    """mkdocs_hooks.py executes the notebooks the cache lacks, one per core, before any
    page is rendered: mkdocs-jupyter, which would run them one by one, finds each cached."""
    log = (site / "build.log").read_text()

    assert f"Executing {len(NOTEBOOKS)} notebooks" in log  # all of them, afresh
    assert log.count("Cache hit") == len(NOTEBOOKS)


def test_a_rebuild_with_the_same_code_would_execute_no_notebook(
    site, notebook_cache, monkeypatch
):
    """What ``serve`` does on a page edit: the hooks find every notebook in the cache the
    build filled, so a rebuild executes none (asked of the hooks, not by building again)."""
    for name, value in {"NOTEBOOK_CACHE": str(notebook_cache), **PUBLISHED}.items():
        monkeypatch.setenv(name, value)
    config = load_config(str(ROOT / "mkdocs.yml"))
    config = config.plugins.on_config(config)
    plugin = config.plugins["mkdocs-jupyter"].config

    assert plugin["cache"]
    assert plugin["execute"]
    assert uncached_notebooks(get_files(config), plugin) == {}


def test_every_page_links_to_its_source_in_the_repository(site):
    prefix = f"{PUBLISHED['REPO_URL']}/edit/main/"
    for page in sorted(site.rglob("index.html")):
        edit = re.search(r'<a href="([^"]+)" title="Edit this page"', page.read_text())
        assert edit, page
        assert edit[1].startswith(prefix), edit[1]
        assert (ROOT / edit[1].removeprefix(prefix)).is_file(), edit[1]


def test_the_published_404_page_names_its_theme_and_links_from_the_site_root(site):
    """Served for any missing path, the 404 page cannot use relative addresses."""
    addresses = re.findall(r'(?:href|src)="([^"]+)"', (site / "404.html").read_text())
    internal = [a for a in addresses if not a.startswith(("https:", "data:", "#"))]

    assert PUBLISHED["REPO_URL"] in addresses
    assert any(address.endswith(".css") for address in internal)
    for address in internal:
        assert address.startswith("/drf/"), address
        assert (site / address.removeprefix("/drf/")).exists(), address


def test_every_notebook_page_offers_its_ipynb_for_download(site):
    for notebook in NOTEBOOKS:
        page = site / "notebooks" / notebook.stem / "index.html"
        offered = re.search(
            r'<a href="([^"]+)" title="Download this notebook"', page.read_text()
        )

        assert offered, page
        assert (page.parent / offered[1]).read_bytes() == notebook.read_bytes()


def nav_labels(page: Path) -> dict[str, str]:
    """Return the href and label of every page link in a built page's navigation."""
    links = re.findall(
        r'<a href="([^"#]+)" class="md-nav__link[^"]*">\s*<span class="md-ellipsis">(.*?)</span>',
        page.read_text(),
        re.DOTALL,
    )
    return {href: " ".join(html.unescape(label).split()) for href, label in links}


def title(page: Path) -> str:
    text = re.search(r"<title>(.*?)</title>", page.read_text(), re.DOTALL)[1]
    return html.unescape(text).removesuffix(" - DRF caching cookbook").strip()


def test_every_nav_label_is_the_title_of_the_page_it_opens(site):
    labels = nav_labels(site / "index.html")

    assert {(site / href / "index.html").resolve() for href in labels} == set(
        site.rglob("index.html")
    )
    for href, label in labels.items():
        assert label == title(site / href / "index.html"), href


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
def test_every_notebook_ran_its_requests_when_the_site_was_built(site, notebook):
    """The build executes each notebook once, on a fresh kernel (an error fails it); what
    its requests told shows the cache at work: after a miss, a hit that ran fewer queries."""
    text = page_text(site, f"notebooks/{notebook.stem}")

    assert re.search(r"\bGET /api/", text)  # outputs of requests it ran
    assert a_miss_is_followed_by_a_cheaper_hit(text)
    assert "Traceback" not in text


def test_a_snippet_section_that_does_not_exist_fails_the_build(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text(
        '```python\n--8<-- "recipes/cache_page/cache_page_mixin.py:no_such_section"\n```\n'
    )
    real = yaml_load((ROOT / "mkdocs.yml").read_text())
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
            if path.startswith("/"):  # the 404 page's links, from where it is published
                base, path = (
                    site,
                    path.removeprefix(urlsplit(PUBLISHED["SITE_URL"]).path),
                )
            else:
                base = page.parent
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


def test_the_committed_diagrams_are_what_the_script_draws():
    from harness.diagrams import PURGE_SEQUENCE, purge_sequence

    assert PURGE_SEQUENCE.read_text() == purge_sequence()
