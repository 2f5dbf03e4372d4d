"""Tell a recipe's story in a terminal: its notebook, cell by cell, with no Jupyter.

``python -m recipes.<name>`` runs ``notebooks/<name>.ipynb`` from a checkout of the cookbook:
the prose is printed as it is written, the code runs in one namespace, and a cell's last
expression is printed as a notebook would show it. One narration per recipe, in two places.
"""

import ast
import asyncio
import inspect
import json
import textwrap
from pathlib import Path
from typing import Any

TOP_LEVEL_AWAIT = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def tell_story(package: str) -> None:
    """Run the notebook of ``package`` (``recipes.cache_page``) top to bottom."""
    path = notebook_of(package)
    if not path.exists():
        raise SystemExit(
            f"{path} is missing: stories run from a checkout of the cookbook"
        )
    namespace: dict[str, Any] = {"__name__": "__story__"}
    for cell in json.loads(path.read_text())["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            print("\n" + "\n".join(_wrapped(source)) + "\n")
        elif cell["cell_type"] == "code":
            _run(source, namespace)


def notebook_of(package: str) -> Path:
    """Return the notebook whose story ``package`` (``recipes.cache_page``) tells."""
    return NOTEBOOKS / f"{package.rpartition('.')[2]}.ipynb"


def _run(source: str, namespace: dict[str, Any]) -> None:
    """Run a code cell; print the value of its last expression, as Jupyter shows it."""
    from recipes.bookshop import sandbox

    sandbox.new_cell()  # a request heads its lines again, as in a notebook
    module = ast.parse(source)
    last = module.body[-1] if module.body else None
    if isinstance(last, ast.Expr):
        module.body.pop()
    awaited(eval(compile(module, "<cell>", "exec", flags=TOP_LEVEL_AWAIT), namespace))
    if isinstance(last, ast.Expr):
        expression = compile(
            ast.Expression(last.value), "<cell>", "eval", flags=TOP_LEVEL_AWAIT
        )
        value = awaited(eval(expression, namespace))
        if value is not None:
            markdown = getattr(value, "_repr_markdown_", None)  # a table, say
            print(markdown() if markdown else repr(value))


def awaited(result: Any) -> Any:
    """Run a cell that awaits (Jupyter allows ``await`` at a cell's top level) to its
    end, on one event loop for the whole story, as a notebook's kernel has."""
    if not inspect.iscoroutine(result):
        return result
    global _loop
    if _loop is None:
        _loop = asyncio.new_event_loop()
    return _loop.run_until_complete(result)


_loop: asyncio.AbstractEventLoop | None = None


def _wrapped(markdown: str) -> list[str]:
    """Return the prose of a Markdown cell wrapped for a terminal, headings underlined."""
    lines = []
    for paragraph in markdown.split("\n\n"):
        if paragraph.startswith("#"):
            title = paragraph.lstrip("#").strip()
            lines += [title, "=" * len(title)]
        else:
            lines += textwrap.wrap(" ".join(paragraph.split()), 96) or [""]
        lines.append("")
    return lines[:-1]
