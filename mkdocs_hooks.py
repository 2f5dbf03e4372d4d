"""MkDocs hooks: every copy unit downloadable, and shown whole, exactly as it is tested.

* Every file of every recipe's ``COPY_UNIT`` is served at ``downloads/<path under recipes/>``,
  so that a page links to the exact files its code blocks come from.
* A whole-file snippet (``--8<-- "recipes/x/y.py"``, no section) is inlined here rather than
  by pymdownx.snippets, without its section markers and annotation markers: the sections
  above it on the page carry the notes, and a marker with no note would show as a comment.
* mkdocs-jupyter's cache of executed notebooks is keyed on the notebook alone; here its
  directory is also named for the code the notebooks run (every module under ``recipes/``
  and ``pyproject.toml``). Editing a page serves the notebooks from the cache; changing a
  recipe executes them again.
* The notebooks the cache lacks are executed before any page is rendered, one per core, and
  written to that cache as mkdocs-jupyter writes it: the plugin would run them one after
  another as it renders each page, and then reads them from the cache instead.
* A page's edit and view links name the file in the repository: the notebooks' pages come
  from ``docs/notebooks``, a link to ``notebooks/``, so theirs point there.
"""

import hashlib
import json
import logging
import multiprocessing
import os
import re
import shutil
from concurrent.futures import ProcessPoolExecutor
from importlib import import_module
from pathlib import Path, PurePath
from urllib.parse import urljoin

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs_jupyter import convert
from mkdocs_jupyter.plugin import (
    _compute_cache_key,
    _get_cache_path,
    _get_nb_toc_tokens,
)

ROOT = Path(__file__).resolve().parent
RECIPES = ROOT / "recipes"
WHOLE_FILE = re.compile(
    r'^(?P<indent>\s*)--8<-- "(?P<path>[^":]+\.py)"\s*$', re.MULTILINE
)
SECTION_MARKER = re.compile(r"\s*# --8<-- \[(start|end):[\w-]+\]\s*")
NOTE_MARKER = re.compile(r"\s+# \(\d+\)!$")


log = logging.getLogger("mkdocs.hooks")
# NOTEBOOK_CACHE names another folder: an empty one executes every notebook afresh, as the
# strict build (`nox -s docs`) and the tests do.
NOTEBOOK_CACHE = Path(
    os.environ.get("NOTEBOOK_CACHE", ROOT / ".cache" / "mkdocs-jupyter")
)


def code_digest() -> str:
    """Return a digest of everything a notebook's outputs depend on besides itself."""
    digest = hashlib.sha256()
    for path in sorted([*RECIPES.rglob("*.py"), ROOT / "pyproject.toml"]):
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    current = NOTEBOOK_CACHE / code_digest()
    config.plugins["mkdocs-jupyter"].config["cache_dir"] = str(current)
    for stale in NOTEBOOK_CACHE.glob("*"):
        if stale != current:
            shutil.rmtree(stale, ignore_errors=True)
    return config


def copy_unit_files(package: str) -> list[Path]:
    """Return the files ``recipes.<package>`` tells a reader to copy (a folder: its modules)."""
    files = []
    for unit in getattr(import_module(f"recipes.{package}"), "COPY_UNIT", ()):
        path = ROOT / unit
        files += sorted(path.glob("*.py")) if path.is_dir() else [path]
    return files


def on_files(files: Files, config: MkDocsConfig) -> Files:
    packages = [init.parent.name for init in RECIPES.glob("*/__init__.py")]
    for path in sorted({path for name in packages for path in copy_unit_files(name)}):
        files.append(
            File.generated(
                config,
                f"downloads/{path.relative_to(RECIPES).as_posix()}",
                abs_src_path=str(path),
            )
        )
    return files


# What mkdocs-jupyter passes to its converter, named as in its configuration.
CONVERTER_OPTIONS = (
    "kernel_name",
    "theme",
    "allow_errors",
    "show_input",
    "no_input",
    "no_prompt",
    "remove_tag_config",
    "highlight_extra_classes",
    "include_requirejs",
    "custom_mathjax_url",
)


def on_nav(nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
    plugin = config.plugins["mkdocs-jupyter"].config
    missing = uncached_notebooks(files, plugin) if plugin["cache"] else {}
    if plugin["execute"] and missing:
        execute_into_cache(missing, plugin)
    return nav


def uncached_notebooks(files: Files, plugin: dict) -> dict[str, Path]:
    """Return each notebook the cache lacks, with the entry mkdocs-jupyter will look for."""
    missing = {}
    for file in files.documentation_pages():
        path = file.abs_src_path
        if path and path.endswith(".ipynb") and not executes_never(path, plugin):
            key = _compute_cache_key(path, plugin, plugin["execute"])
            entry = _get_cache_path(plugin["cache_dir"], key)
            if not entry.exists():
                missing[path] = entry
    return missing


def executes_never(path: str, plugin: dict) -> bool:
    """Whether the plugin's ``execute_ignore`` leaves this notebook unexecuted."""
    return any(PurePath(path).match(glob) for glob in plugin["execute_ignore"] or ())


def execute_into_cache(missing: dict[str, Path], plugin: dict) -> None:
    """Execute and convert each notebook in a process of its own, one per core, and
    write its cache entry as mkdocs-jupyter does: the HTML, the headings, the title."""
    workers = os.cpu_count() or 1
    log.info("Executing %d notebooks, %d at a time", len(missing), workers)
    options = {name: plugin[name] for name in CONVERTER_OPTIONS}
    # Spawned, not forked: `mkdocs serve` runs threads that a fork would copy mid-step.
    # Each process imports mkdocs_jupyter.convert, whose import patches nbconvert's heading
    # ids to the lowercase anchors the page's contents link to.
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, spawn, initializer=import_module, initargs=(convert.__name__,)
    ) as pool:
        bodies = {
            path: pool.submit(convert.nb2html, path, execute=True, **options)
            for path in missing
        }
        for path, body in bodies.items():
            toc_tokens, title = _get_nb_toc_tokens(path, plugin["toc_depth"])
            entry = {"content": body.result(), "toc_tokens": toc_tokens, "title": title}
            missing[path].parent.mkdir(parents=True, exist_ok=True)
            missing[path].write_text(json.dumps(entry), encoding="utf-8")


def shown_whole(path: str) -> str:
    """Return a file as a page shows it whole: without snippet or annotation markers."""
    lines = (ROOT / path).read_text().splitlines()
    return "\n".join(
        NOTE_MARKER.sub("", line)
        for line in lines
        if not SECTION_MARKER.fullmatch(line)
    )


def on_page_markdown(markdown: str, page: Page, **kwargs: object) -> str:
    def inline(match: re.Match) -> str:
        indent = match["indent"]
        text = shown_whole(match["path"])
        return "\n".join(indent + line if line else line for line in text.splitlines())

    return WHOLE_FILE.sub(inline, markdown)


def on_page_context(
    context: dict, page: Page, config: MkDocsConfig, nav: Navigation
) -> dict:
    if page.edit_url:
        docs = Path(config.docs_dir).resolve()
        stored = os.path.relpath(Path(page.file.abs_src_path).resolve(), docs)
        if stored != page.file.src_uri:  # reached through a link: ../notebooks/x.ipynb
            head = page.edit_url.removesuffix(page.file.src_uri)
            page.edit_url = urljoin(head, Path(stored).as_posix())
    return context
