"""The built site as a reader meets it: Debian's Chromium, headless, driven by Playwright.

Pages load without a console error and without asking another host for anything, a code
annotation opens its note, search finds a recipe by a word of its code, each recipe page shows
how to use it in your own project within two screens, and on a phone's width no page is wider
than the screen and the home table still shows each recipe's link. Without Chromium these
tests are skipped with the reason; with ``CI=true`` they fail instead (``.ci/run`` installs
it).
"""

import html
import json
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect, sync_playwright

from harness.site import serving

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("site")]  # see test_docs
PHONE = {"width": 390, "height": 844}
# The suite runs beside these tests on two cores (gunicorn under load, among others): the
# theme's scripts may take seconds to start, so every wait allows for it. No test times.
PATIENCE_MS = 60_000


def chromium() -> str:
    """Return Chromium's path; skip (or, under CI, fail) when it is missing."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        reason = "Chromium is not installed (Debian: apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {reason}; .ci/run installs it")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    with serving(site) as url:
        yield url


# Module-scoped, not longer: the sync API runs an event loop while the browser is open,
# and Django refuses database calls from the tests that would follow under it.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_playwright() as playwright:
        expect.set_options(timeout=PATIENCE_MS)
        launched = playwright.chromium.launch(
            executable_path=chromium(), args=["--no-sandbox"]
        )
        yield launched
        launched.close()


@dataclass
class Reader:
    """A browser tab, and what went wrong in it: console errors, other hosts asked."""

    tab: Any
    problems: list[str] = field(default_factory=list)


def open_tab(browser: Any, base_url: str) -> Reader:
    """Open a tab that records console errors and requests to any other host."""
    reader = Reader(browser.new_page())
    reader.tab.set_default_timeout(PATIENCE_MS)

    def on_console(message: Any) -> None:
        if message.type == "error":
            reader.problems.append(message.text)

    def on_request(request: Any) -> None:
        if not request.url.startswith((base_url, "data:")):
            reader.problems.append(f"asked another host: {request.url}")

    reader.tab.on("console", on_console)
    reader.tab.on("pageerror", lambda error: reader.problems.append(str(error)))
    reader.tab.on("request", on_request)
    return reader


@pytest.fixture
def reader(browser: Any, base_url: str) -> Iterator[Reader]:
    reader = open_tab(browser, base_url)
    yield reader
    reader.tab.close()


def built_pages(site: Path) -> list[str]:
    return sorted(
        path.parent.relative_to(site).as_posix() + "/"
        for path in site.rglob("index.html")
        if path.parent != site / "downloads"
    )


DESKTOP = {"width": 1280, "height": 900}
SCROLLING_CODE = """blocks => blocks
    .filter(block => block.scrollWidth > block.clientWidth + 1)
    .map(block => block.textContent.split("\\n")[0])"""
SCREENS_DOWN = """heading => (heading.getBoundingClientRect().top + window.scrollY)
    / window.innerHeight"""
PAGE_WIDTH = "() => document.documentElement.scrollWidth"


@dataclass
class Tour:
    """Every page, loaded at a desktop's width and then narrowed to a phone's: what went
    wrong, the code blocks of each page that scroll sideways (by their first line), how
    many screens down each recipe page's "In your own project" starts, and the pages wider
    than a phone."""

    problems: list[str]
    scrolling: dict[str, list[str]]
    own_project_at: dict[str, float]
    wider_than_a_phone: dict[str, int]


@pytest.fixture(scope="module")
def tour(site: Path, browser: Any, base_url: str) -> Tour:
    reader = open_tab(browser, base_url)
    # Every page load builds the search index (1.3 MB) in a worker, a third of the tour's
    # time; nothing the tour measures depends on it, and the search test loads the real one.
    reader.tab.route("**/search/search_index.json", an_empty_search_index(site))
    scrolling, own_project_at, wide = {}, {}, {}
    for path in built_pages(site):
        url = f"{base_url}/{path.removeprefix('./')}"
        reader.tab.set_viewport_size(DESKTOP)
        reader.tab.goto(url, wait_until="load")
        if found := reader.tab.eval_on_selector_all(
            ".md-typeset pre > code", SCROLLING_CODE
        ):
            scrolling[path] = found
        if path.startswith("recipes/"):
            own_project_at[path] = reader.tab.eval_on_selector(
                "#in-your-own-project", SCREENS_DOWN
            )
        reader.tab.set_viewport_size(PHONE)  # the layout follows, as a phone's would
        if (width := reader.tab.evaluate(PAGE_WIDTH)) > PHONE["width"]:
            wide[path] = width
    reader.tab.close()
    return Tour(reader.problems, scrolling, own_project_at, wide)


def an_empty_search_index(site: Path) -> Callable[[Any], None]:
    """The site's search index, its configuration kept and its documents left out."""
    index = json.loads((site / "search" / "search_index.json").read_text())
    body = json.dumps({"config": index["config"], "docs": []})
    return lambda route: route.fulfill(content_type="application/json", body=body)


def test_every_page_loads_without_a_console_error_or_another_host(tour):
    assert tour.problems == []


def test_at_1280_px_no_code_block_scrolls_sideways(tour):
    assert tour.scrolling == {}


def test_every_recipe_page_shows_your_own_project_within_two_screens(tour):
    """The problem, the core and how to use it come first; the machinery after."""
    assert len(tour.own_project_at) >= 18
    late = {path: round(at, 1) for path, at in tour.own_project_at.items() if at > 2}
    assert late == {}


def test_at_390_px_no_page_is_wider_than_the_phone(tour):
    """Wide tables and notebook outputs scroll inside their own box, not the page."""
    assert tour.wider_than_a_phone == {}


def first_note(page: Path) -> str:
    """Return the text of a page's first code annotation, as the built HTML holds it."""
    after_marker = page.read_text().split("# (1)!", 1)[1]
    note = re.search(r"<ol>\s*<li>(.*?)</li>", after_marker, re.DOTALL)[1]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", note)).split())


def test_a_code_annotation_opens_its_note(site, base_url, reader):
    reader.tab.goto(f"{base_url}/recipes/manual-keys/")
    annotation = reader.tab.locator(".md-typeset .md-annotation").first
    annotation.scroll_into_view_if_needed()

    # The marker pulses until it is first opened, so it is never "stable": click it anyway.
    annotation.locator(".md-annotation__index").click(force=True)

    note = annotation.locator(".md-tooltip--active")
    expect(note).to_be_visible()
    assert " ".join(note.inner_text().split()) == first_note(
        site / "recipes/manual-keys/index.html"
    )


def test_search_finds_a_recipe_by_a_word_of_its_code(base_url, reader):
    reader.tab.goto(f"{base_url}/")
    query = reader.tab.locator(".md-search__input").first
    query.click()
    # The index loads in a worker; a query typed before it is ready is never answered.
    expect(reader.tab.locator(".md-search-result__meta")).to_have_text(
        "Type to start searching"
    )

    query.press_sequentially("TaggedCache")  # keystrokes: the theme searches on keyup

    expect(reader.tab.locator(".md-search-result__item a").first).to_have_attribute(
        "href", re.compile(r"/recipes/manual-keys/")
    )


def test_on_a_phone_the_home_table_shows_every_recipe_link(base_url, reader):
    reader.tab.set_viewport_size(PHONE)
    reader.tab.goto(f"{base_url}/")

    links = reader.tab.locator("table tbody tr td:first-child a").all()

    assert links
    for link in links:
        box = link.bounding_box()
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE["width"], link.inner_text()
