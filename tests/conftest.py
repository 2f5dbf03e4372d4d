"""What the site's tests share: the site, built once per worker that runs them."""

from pathlib import Path

import pytest

from harness.site import ROOT, mkdocs_build


@pytest.fixture(scope="session")
def notebook_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tests' own notebook cache: it starts empty, so their build executes each
    notebook afresh, and a rebuild may then reuse the outputs."""
    return tmp_path_factory.mktemp("notebooks")


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory, notebook_cache: Path) -> Path:
    """Build the real site once (the modules that use it share one xdist group); its
    log is kept beside its pages."""
    site = tmp_path_factory.mktemp("site")
    cache = str(notebook_cache)
    result = mkdocs_build(ROOT / "mkdocs.yml", site, NOTEBOOK_CACHE=cache)
    assert result.returncode == 0, result.stderr
    (site / "build.log").write_text(result.stderr)
    return site
