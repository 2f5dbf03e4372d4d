"""``nox -s lab`` opens the notebooks in JupyterLab: its environment has a kernel that runs
a notebook top to bottom, with nothing else started."""

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_the_lab_session_runs_a_notebook_in_its_own_kernel(tmp_path):
    executed = tmp_path / "cache_page.ipynb"
    execute = ["execute", f"--output={executed}", "notebooks/cache_page.ipynb"]
    subprocess.run(
        [sys.executable, "noxfile.py", "-s", "lab", "--", *execute],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=600,
    )
    notebook = nbformat.read(executed, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code)
    assert not [
        output
        for cell in code
        for output in cell.outputs
        if output.output_type == "error"
    ]
