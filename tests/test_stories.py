"""``python -m recipes.<name>`` runs each recipe's notebook in a terminal, on the embedded
default: the one narration of a recipe, told without Jupyter.

A story executes its notebook's code cells as plain Python, in one namespace; the site's
build executes the same cells on a Jupyter kernel (``test_docs.py`` checks what they
told). So one story is run here in a terminal, and every other is held to what running
it needs: its package's ``__main__`` tells its own notebook, whose cells are plain Python
(no IPython magic, no top-level ``await``).
"""

import ast
import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

from harness.site import ROOT, a_miss_is_followed_by_a_cheaper_hit
from recipes.story import notebook_of

STORIES = settings.COOKBOOK_RECIPES + settings.COOKBOOK_TOOLS


def test_a_story_runs_in_a_terminal_and_a_miss_is_followed_by_a_cheaper_hit():
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    result = subprocess.run(
        [sys.executable, "-m", "recipes.cache_page"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "A miss builds the page, a hit replays it" in result.stdout  # its prose
    assert a_miss_is_followed_by_a_cheaper_hit(result.stdout)


@pytest.mark.parametrize("package", STORIES)
def test_every_story_tells_its_own_notebook_in_plain_python(package):
    main = ROOT / package.replace(".", "/") / "__main__.py"
    assert "tell_story(__package__)" in main.read_text()

    cells = json.loads(notebook_of(package).read_text())["cells"]
    for cell in cells:
        if cell["cell_type"] == "code":
            ast.parse("".join(cell["source"]))  # a magic or a top-level await fails
