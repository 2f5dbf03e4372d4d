"""MkDocs hooks: every recipe's caching module, downloadable from the site as it is tested.

Each ``recipes/<name>/caching.py`` is served at ``downloads/<name>/caching.py``, so that a
page links to the exact file its code blocks come from.
"""

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent


def on_files(files: Files, config: MkDocsConfig) -> Files:
    for module in sorted((ROOT / "recipes").glob("*/caching.py")):
        files.append(
            File.generated(
                config,
                f"downloads/{module.parent.name}/caching.py",
                abs_src_path=str(module),
            )
        )
    return files
