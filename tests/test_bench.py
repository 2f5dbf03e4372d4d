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
STORAGE_ROW = re.compile(
    r"^\| (pickle|json|msgpack) \| (none|zlib|lz4|zstd) \|", re.MULTILINE
)


def run_bench(scenario: str, tmp_path: Path) -> str:
    """Run one scenario quickly (small data, two repeats) and return the table it wrote."""
    table = tmp_path / f"{scenario}.md"
    command = [sys.executable, "-m", "recipes.bookshop.bench", scenario]
    options = ["--size", "small", "--repeat", "2", "--write", str(table)]
    subprocess.run([*command, *options], check=True, capture_output=True, timeout=300)
    return table.read_text()


def included(scenario: str) -> str:
    return (ROOT / "docs" / "includes" / "numbers" / f"{scenario}.md").read_text()


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_bench_writes_one_row_per_variant(scenario, tmp_path):
    labels = [match["label"] for match in ROW.finditer(run_bench(scenario, tmp_path))]
    assert labels == [variant.label for variant in SCENARIOS[scenario]]


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_docs_include_a_table_the_harness_wrote(scenario):
    labels = [match["label"] for match in ROW.finditer(included(scenario))]
    assert labels == [variant.label for variant in SCENARIOS[scenario]]
    assert f"python -m recipes.bookshop.bench {scenario}" in included(scenario)


@pytest.mark.real_redis
def test_storage_bench_measures_every_serializer_and_compressor(redis_server, tmp_path):
    assert len(STORAGE_ROW.findall(run_bench("redis-config", tmp_path))) == 12


def test_docs_include_the_storage_table_the_harness_wrote():
    assert len(STORAGE_ROW.findall(included("redis-config"))) == 12
    assert "python -m recipes.bookshop.bench redis-config" in included("redis-config")
