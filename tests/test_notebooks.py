"""Every notebook runs top to bottom on a fresh kernel, with no server."""

from pathlib import Path

import nbclient
import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
pytestmark = pytest.mark.slow


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_executes_without_errors(path):
    notebook = nbformat.read(path, as_version=4)

    nbclient.NotebookClient(notebook, kernel_name="python3", timeout=300).execute()

    outputs = [output for cell in notebook.cells for output in cell.get("outputs", [])]
    assert not [output for output in outputs if output.output_type == "error"]
    assert any(
        " GET " in output.get("text", "") for output in outputs
    )  # it ran requests
