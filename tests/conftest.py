"""What the site's tests share: the site, built once per worker that runs them."""

from pathlib import Path

import pytest

from harness.site import ROOT, mkdocs_build


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the real site once (the modules that use it share one xdist group)."""
    site = tmp_path_factory.mktemp("site")
    result = mkdocs_build(ROOT / "mkdocs.yml", site)
    assert result.returncode == 0, result.stderr
    (site / "build.log").write_text(result.stderr)
    return site
