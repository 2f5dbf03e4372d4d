"""The benchmark harness runs, and the tables the docs include are its own output."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from recipes.bookshop.bench import SCENARIOS

ROOT = Path(__file__).resolve().parent.parent
ROW = re.compile(
    r"^\| (?P<label>[^|]+) \| \d+ \| \d+ \| [\d.]+ ms \| [\d.]+x \|$", re.MULTILINE
)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_bench_writes_one_row_per_variant(scenario, tmp_path):
    table = tmp_path / f"{scenario}.md"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "recipes.bookshop.bench",
            scenario,
            "--size",
            "small",
            "--repeat",
            "2",
            "--write",
            str(table),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    labels = [match["label"] for match in ROW.finditer(table.read_text())]
    assert labels == [variant.label for variant in SCENARIOS[scenario]]


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_docs_include_a_table_the_harness_wrote(scenario):
    text = (ROOT / "docs" / "includes" / "numbers" / f"{scenario}.md").read_text()
    labels = [match["label"] for match in ROW.finditer(text)]
    assert labels == [variant.label for variant in SCENARIOS[scenario]]
    assert f"python -m recipes.bookshop.bench {scenario}" in text


STORAGE_ROW = re.compile(
    r"^\| (pickle|json|msgpack) \| (none|zlib|lz4|zstd) \|", re.MULTILINE
)


@pytest.mark.real_redis
def test_storage_bench_measures_every_serializer_and_compressor(redis_server, tmp_path):
    table = tmp_path / "redis-config.md"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "recipes.bookshop.bench",
            "redis-config",
            "--size",
            "small",
            "--repeat",
            "2",
            "--write",
            str(table),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    assert len(STORAGE_ROW.findall(table.read_text())) == 12


def test_docs_include_the_storage_table_the_harness_wrote():
    text = (ROOT / "docs" / "includes" / "numbers" / "redis-config.md").read_text()
    assert len(STORAGE_ROW.findall(text)) == 12
    assert "python -m recipes.bookshop.bench redis-config" in text
