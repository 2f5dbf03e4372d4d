"""What the site's tests share: the site, built once per run, whichever workers use it."""

import os
from pathlib import Path

import pytest
from filelock import FileLock

from harness.site import PUBLISHED, ROOT, mkdocs_build


def run_folder(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A folder of this run that every xdist worker sees (each worker's own without
    xdist): the workers' temporary folders share their parent."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run is None:
        return tmp_path_factory.mktemp(name)
    folder = tmp_path_factory.getbasetemp().parent / f"{name}-{run}"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def notebook_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tests' own notebook cache: it starts empty, so their build executes each
    notebook afresh, and a rebuild may then reuse the outputs."""
    return run_folder(tmp_path_factory, "notebooks")


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory, notebook_cache: Path) -> Path:
    """Build the real site once, as it is published (its address and repository given):
    the first worker that needs it builds it, on every core, while another that needs it
    too waits for it rather than build it again beside it. Its log is kept beside its
    pages."""
    site = run_folder(tmp_path_factory, "site")
    with FileLock(f"{site}.lock"):
        if not (site / "build.log").exists():
            cache = str(notebook_cache)
            result = mkdocs_build(
                ROOT / "mkdocs.yml", site, NOTEBOOK_CACHE=cache, **PUBLISHED
            )
            assert result.returncode == 0, result.stderr
            (site / "build.log").write_text(result.stderr)
    return site
