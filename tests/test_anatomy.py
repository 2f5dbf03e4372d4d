"""Every recipe has the full anatomy, and every snippet a page embeds exists."""

import ast
import builtins
import re
import sys
import textwrap
import tomllib
from importlib import import_module
from pathlib import Path

import nbformat
import pytest
from django.conf import global_settings, settings
from markdown.extensions.toc import slugify
from mkdocs.utils.yaml import yaml_load  # mkdocs.yml's !ENV tags

from mkdocs_hooks import copy_unit_files

ROOT = Path(__file__).resolve().parent.parent
SNIPPET = re.compile(
    r'^\s*--8<-- "(?P<path>[^":]+)(?::(?P<section>[\w-]+))?"', re.MULTILINE
)
SERVED = [package.removeprefix("recipes.") for package in settings.COOKBOOK_RECIPES]
TOOLS = [package.removeprefix("recipes.") for package in settings.COOKBOOK_TOOLS]
RECIPES = SERVED + TOOLS
ALLOWED_IMPORTS = {"django", "rest_framework"} | set(sys.stdlib_module_names)


def slug(name: str) -> str:
    return import_module(f"recipes.{name}").SLUG


def embedded_snippets() -> list[tuple[Path, str, str | None]]:
    return [
        (page, match["path"], match["section"])
        for page in sorted((ROOT / "docs").rglob("*.md"))
        for match in SNIPPET.finditer(page.read_text())
    ]


@pytest.mark.parametrize("name", RECIPES)
@pytest.mark.parametrize("part", ["__init__.py", "__main__.py", "tests"])
def test_recipe_package_has_every_part(name, part):
    assert (ROOT / "recipes" / name / part).exists()


@pytest.mark.parametrize("name", SERVED)
@pytest.mark.parametrize("part", ["views.py", "urls.py"])
def test_served_recipe_has_views_and_urls(name, part):
    assert (ROOT / "recipes" / name / part).exists()


def test_every_recipe_package_is_listed_once():
    packages = {
        init.parent.name
        for init in (ROOT / "recipes").glob("*/__init__.py")
        if hasattr(import_module(f"recipes.{init.parent.name}"), "SLUG")
    }
    assert sorted(packages) == sorted(RECIPES)


@pytest.mark.parametrize("name", RECIPES)
def test_recipe_names_a_copy_unit_that_exists(name):
    assert copy_unit_files(name)
    assert all(path.exists() for path in copy_unit_files(name))


def cookbook_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


@pytest.mark.parametrize("name", RECIPES)
def test_copy_unit_names_the_cookbook_version_and_the_supported_versions(name):
    """A reader who copied a recipe can tell which version it was, and find what changed
    since in the changelog."""
    version = cookbook_version()
    for path in copy_unit_files(name):
        first, second = path.read_text().splitlines()[:2]
        assert f"the DRF caching cookbook {version} " in first, path
        assert "Django 5.2 LTS (5.2.19+)" in second, path
        assert "Django 6" in second, path
    assert f"\n## {version} (" in (ROOT / "CHANGELOG.md").read_text()


@pytest.mark.parametrize("name", RECIPES)
def test_recipe_has_tests(name):
    assert list((ROOT / "recipes" / name / "tests").glob("test_*.py"))


@pytest.mark.parametrize("name", RECIPES)
def test_copy_unit_imports_only_django_drf_stdlib_and_declared_dependencies(name):
    """A copy unit stands alone: relative imports stay inside it, nothing of the cookbook."""
    package = import_module(f"recipes.{name}")
    declared = {
        module
        for modules in getattr(package, "DEPENDENCIES", {}).values()
        for module in modules
    }
    for path in copy_unit_files(name):
        if path.suffix != ".py":  # a server's configuration (the cdn recipe's VCL)
            continue
        tree = ast.parse(path.read_text())
        imported = {
            node.module if isinstance(node, ast.ImportFrom) else alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            and not (isinstance(node, ast.ImportFrom) and node.level)
            for alias in node.names
        }
        relative = {
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.level
        }
        siblings = {sibling.stem for sibling in path.parent.glob("*.py")}
        assert relative <= siblings, path
        outside = {
            module
            for module in imported
            if module.split(".")[0] not in ALLOWED_IMPORTS | declared
        }
        assert outside == set(), path


@pytest.mark.parametrize("name", RECIPES)
def test_recipe_page_names_and_shows_its_whole_copy_unit(name):
    page = (ROOT / "docs" / "recipes" / f"{slug(name)}.md").read_text()
    assert "## In your own project" in page
    for path in copy_unit_files(name):
        relative = path.relative_to(ROOT).as_posix()
        assert f'--8<-- "{relative}"' in page, relative  # the whole file
        download = f"../downloads/{path.relative_to(ROOT / 'recipes').as_posix()}"
        assert f"]({download}){{ download }}" in page, download


@pytest.mark.parametrize("name", RECIPES)
def test_recipe_page_shows_the_command_that_runs_its_tests_alone(name):
    page = (ROOT / "docs" / "recipes" / f"{slug(name)}.md").read_text()
    assert f"`python3 noxfile.py -s tests -- {name}`" in page
    assert f"(../notebooks/{name}.ipynb)" in page  # and links its notebook
    assert (ROOT / "recipes" / name / "tests").is_dir()  # what the noxfile runs for it


@pytest.mark.parametrize("name", RECIPES)
def test_recipe_is_in_the_home_page_table_and_the_nav(name):
    assert f"(recipes/{slug(name)}.md)" in (ROOT / "docs" / "index.md").read_text()
    recipes = next(
        e for e in yaml_load((ROOT / "mkdocs.yml").read_text())["nav"] if "Recipes" in e
    )
    title = (ROOT / "docs" / "recipes" / f"{slug(name)}.md").read_text().splitlines()[0]
    entry = {  # one entry per recipe, named as its page is, with its notebook under it
        title.removeprefix("# ").replace("`", ""): [
            {"Recipe": f"recipes/{slug(name)}.md"},
            {"Notebook": f"notebooks/{name}.ipynb"},
        ]
    }
    assert entry in recipes["Recipes"]


@pytest.mark.parametrize("name", RECIPES)
def test_recipe_goes_by_one_name_on_every_page(name):
    """The page's title, the home page's and the README's tables: the package's TITLE."""
    title = import_module(f"recipes.{name}").TITLE
    page = (ROOT / "docs" / "recipes" / f"{slug(name)}.md").read_text()
    assert page.splitlines()[0].replace("`", "") == f"# {title}"
    home = (ROOT / "docs" / "index.md").read_text()
    assert f"| [{title}](recipes/{slug(name)}.md) |" in home
    assert f"| {title} | `recipes/{name}/` |" in (ROOT / "README.md").read_text()


PIECES = re.compile(
    r"^## What each piece prevents\n(?P<table>.*?)(?=^## )", re.M | re.S
)
SHOWN_BY = re.compile(r"\[`(?P<test>test_\w+)`\]\(#(?P<anchor>[\w-]+)\)")
HEADING = re.compile(r"^#{2,4} (?P<title>.+)$", re.M)


def section_showing(page: str, test: str) -> str | None:
    """Return the anchor of the section that embeds ``test``'s code, or names it."""
    shows = re.compile(rf"def {test}\(")
    heading = None
    for line in page.splitlines():
        if found := HEADING.match(line):
            heading = found["title"]
            continue
        if heading == "What each piece prevents":
            continue
        snippet = SNIPPET.match(line)
        embedded = snippet and shows.search(
            section_source(snippet["path"], snippet["section"])
        )
        if heading and (embedded or f"`{test}`" in line):
            return slugify(heading, "-")
    return None


@pytest.mark.parametrize("name", RECIPES)
def test_each_defensive_piece_links_the_test_that_shows_its_failure(name):
    """A reader who meets a piece of machinery can see what goes wrong without it: the
    table names the failure, and links where the page shows the test that proves it."""
    page = (ROOT / "docs" / "recipes" / f"{slug(name)}.md").read_text()
    table = PIECES.search(page)
    assert table, "no 'What each piece prevents' section"
    links = SHOWN_BY.findall(table["table"])
    assert len(links) >= 2
    for test, anchor in links:
        assert section_showing(page, test) == anchor, test


@pytest.mark.parametrize("page", sorted((ROOT / "docs").rglob("*.md")), ids=str)
def test_no_page_repeats_a_heading(page):
    """Two sections of one name get anchors ``name`` and ``name_1``: a link finds the first."""
    titles = [match["title"] for match in HEADING.finditer(page.read_text())]
    assert len(titles) == len(set(titles))


@pytest.mark.parametrize("name", RECIPES)
def test_recipe_notebook_is_stored_without_outputs(name):
    notebook = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code
    assert all(not cell.outputs and cell.execution_count is None for cell in code)


@pytest.mark.parametrize(
    ("page", "path", "section"),
    embedded_snippets(),
    ids=lambda value: str(value).removeprefix(str(ROOT)),
)
def test_every_embedded_snippet_resolves(page, path, section):
    source = (ROOT / path).read_text()
    if section:  # after "# " in code, inside "<!-- -->" in Markdown
        assert f"--8<-- [start:{section}]" in source
        assert f"--8<-- [end:{section}]" in source


def test_pages_embed_code_rather_than_paste_it():
    pages = {page.name for page, _, _ in embedded_snippets()}
    assert {"cache-page.md", "demo-api.md"} <= pages


MARKER = re.compile(r"# \((\d+)\)!")
FENCE = re.compile(r"^(?P<indent>\s*)```")
NOTE = re.compile(r"^(?P<indent>\s*)(?P<number>\d+)\.\s")


def section_source(path: str, section: str | None) -> str:
    source = (ROOT / path).read_text()
    if not section:
        return source
    start = source.rfind("\n", 0, source.index(f"# --8<-- [start:{section}]")) + 1
    return source[start : source.index(f"# --8<-- [end:{section}]")]  # its indent too


def annotated_blocks(page: Path) -> list[tuple[int, list[int], list[int]]]:
    """Return, for each embedded code block: its line, its markers, the notes after it."""
    lines = page.read_text().splitlines()
    blocks, index = [], 0
    while index < len(lines):
        fence = FENCE.match(lines[index])
        if not fence:
            index += 1
            continue
        start, index = index, index + 1
        markers = []
        while not lines[index].strip().startswith("```"):
            match = SNIPPET.match(lines[index])
            if match and match["section"]:  # a whole file is shown without its markers
                markers += [
                    int(n)
                    for n in MARKER.findall(
                        section_source(match["path"], match["section"])
                    )
                ]
            index += 1
        index += 1
        while index < len(lines) and not lines[index].strip():
            index += 1
        notes = []
        while index < len(lines) and (
            (note := NOTE.match(lines[index]))
            or lines[index].startswith(" " * 4)
            or (not lines[index].strip() and continues_a_note(lines, index))
        ):
            if note and note["indent"] == fence["indent"]:
                notes.append(int(note["number"]))
            index += 1
        blocks.append((start + 1, markers, notes))
    return blocks


def continues_a_note(lines: list[str], blank: int) -> bool:
    """A blank line between notes, or inside one: the next line that is not blank is a
    note, or indented."""
    after = next((line for line in lines[blank:] if line.strip()), "")
    return after.startswith(" " * 4) or NOTE.match(after) is not None


@pytest.mark.parametrize(
    "page", sorted((ROOT / "docs").rglob("*.md")), ids=lambda page: page.name
)
def test_every_annotation_marker_has_its_note_numbered_as_shown(page):
    for line, markers, notes in annotated_blocks(page):
        assert markers == list(range(1, len(markers) + 1)), f"line {line}: {markers}"
        assert notes[: len(markers)] == markers, f"line {line}: notes {notes}"


def pasted_python_blocks(page: Path) -> list[int]:
    """Return the lines of ``python`` code blocks whose content is not all snippets."""
    lines = page.read_text().splitlines()
    pasted, index = [], 0
    while index < len(lines):
        if lines[index].strip().startswith("```python"):
            start, index = index, index + 1
            while not lines[index].strip().startswith("```"):
                if lines[index].strip() and not SNIPPET.match(lines[index]):
                    pasted.append(start + 1)
                    break
                index += 1
            while not lines[index].strip().startswith("```"):
                index += 1
        index += 1
    return pasted


@pytest.mark.parametrize(
    "page", sorted((ROOT / "docs").rglob("*.md")), ids=lambda page: page.name
)
def test_every_python_block_is_embedded_from_a_file(page):
    assert pasted_python_blocks(page) == []


WIRING = "tests/copy_project/wiring/"
SETTINGS = {name for name in dir(global_settings) if name.isupper()} | {
    "REST_FRAMEWORK"
}
COPIED_FILES = {file for name in RECIPES for file in copy_unit_files(name)}


def copied(path: str) -> bool:
    """Whether ``path`` is code a reader copies: a copy unit, or the wiring a page shows."""
    return path.startswith(WIRING) or ROOT / path in COPIED_FILES


def shown_python(page: Path) -> list[tuple[bool, str]]:
    """Return each ``python`` block of a page: whether it is copied code, and its code."""
    lines, blocks, index = page.read_text().splitlines(), [], 0
    while index < len(lines):
        if lines[index].strip().startswith("```python"):
            index += 1
            code, paths = [], []
            while not lines[index].strip().startswith("```"):
                if match := SNIPPET.match(lines[index]):
                    paths.append(match["path"])
                    code.append(
                        textwrap.dedent(section_source(match["path"], match["section"]))
                    )
                index += 1
            blocks.append((bool(paths) and all(map(copied, paths)), "\n".join(code)))
        index += 1
    return blocks


def names_used_and_defined(code: str) -> tuple[set[str], set[str]]:
    """Return the names a piece of code reads, and the names it defines or imports."""
    used, defined = set(), set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Name):
            (used if isinstance(node.ctx, ast.Load) else defined).add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defined.add(node.name)
        elif isinstance(node, ast.arg):
            defined.add(node.arg)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            defined.update(
                (alias.asname or alias.name).split(".")[0] for alias in node.names
            )
        elif isinstance(node, ast.ExceptHandler) and node.name:
            defined.add(node.name)
    return used, defined


@pytest.mark.parametrize(
    "page", sorted((ROOT / "docs").rglob("*.md")), ids=lambda page: page.name
)
def test_every_name_copied_code_uses_is_shown_or_imported_on_the_page(page):
    """A reader can copy from the page: no name in copied code is left unexplained.

    Settings a snippet of ``settings.py`` changes (``REST_FRAMEWORK[...] = ...``) are the
    reader's own."""
    used, defined = set(), set(dir(builtins)) | SETTINGS
    for is_copied, code in shown_python(page):
        block_used, block_defined = names_used_and_defined(code)
        used |= block_used if is_copied else set()
        defined |= block_defined
    assert used - defined == set()
