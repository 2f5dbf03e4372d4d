"""The benchmark harness runs, and the tables the docs include are its own output."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from harness.asgi_cost import TARGETS as ASGI_TARGETS
from harness.bench import BURSTS, SCENARIOS
from harness.hits import (
    PAGES,
    UNCACHED,
    Check,
    Measured,
    targets,
    targets_for,
    timed_hit,
    twins_of,
)
from harness.shared_workload import APP_ALONE, THROUGH_VARNISH
from harness.varnish import require_varnish
from harness.workload import TARGETS, Run

ROOT = Path(__file__).resolve().parent.parent
ROW = re.compile(
    r"^\| (?P<label>[^|]+) \| \d+ \| \d+ \| [\d.]+ ms \| [\d.]+x \|$", re.MULTILINE
)
STORAGE_ROW = re.compile(
    r"^\| (pickle|json|msgpack) \| (none|zlib|lz4|zstd) \|", re.MULTILINE
)


def run_bench(scenario: str, tmp_path: Path, *more: str, repeat: int = 1) -> str:
    """Run one scenario quickly (small data, one repeat) and return the table it wrote."""
    table = tmp_path / f"{scenario}.md"
    command = [sys.executable, "-m", "harness.bench", scenario]
    options = ["--size", "small", "--repeat", str(repeat), "--write", str(table), *more]
    done = subprocess.run(
        [*command, *options], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-4000:]
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
    assert f"python -m harness.bench {scenario}" in included(scenario)


@pytest.mark.real_redis
def test_storage_bench_measures_every_serializer_and_compressor(redis_server, tmp_path):
    assert len(STORAGE_ROW.findall(run_bench("redis-config", tmp_path))) == 12


def test_docs_include_the_storage_table_the_harness_wrote():
    assert len(STORAGE_ROW.findall(included("redis-config"))) == 12
    assert "python -m harness.bench redis-config" in included("redis-config")


STAMPEDE_ROW = re.compile(
    # Medians of an even number of bursts may be halves: "1.5".
    r"^\| (?P<label>[^|]+) \| [\d.]+ \| [\d.]+ \| [\d.]+ (\| [\d.]+ )?\|$",
    re.MULTILINE,
)


@pytest.mark.real_redis
@pytest.mark.concurrency
def test_stampede_bench_counts_computations_per_burst(redis_server, tmp_path):
    output = run_bench("stampede", tmp_path)
    labels = [match["label"] for match in STAMPEDE_ROW.finditer(output)]
    assert labels[: len(BURSTS)] == [burst.label for burst in BURSTS]


def test_docs_include_the_stampede_tables_the_harness_wrote():
    labels = [match["label"] for match in STAMPEDE_ROW.finditer(included("stampede"))]
    assert labels[: len(BURSTS)] == [burst.label for burst in BURSTS]
    assert "python -m harness.bench stampede" in included("stampede")
    assert "XFetch on (beta 1)" in included("stampede")


def stampede_rows() -> dict[str, list[float]]:
    """The included stampede tables' rows, ``{row label: [numbers]}``."""
    rows = {}
    for line in included("stampede").splitlines():
        label, *cells = [cell.strip() for cell in line.strip("|").split("|")]
        numbers = [cell.replace(",", "") for cell in cells]  # 20,000
        if all(re.fullmatch(r"[\d.]+", number) for number in numbers):
            rows[label] = [float(number) for number in numbers]
    return rows


def test_the_stampede_page_says_what_its_numbers_show():
    rows = stampede_rows()
    for burst in BURSTS:  # guarded: one computation; unguarded: many
        ran = rows[burst.label][1]  # the most in any burst
        assert ran == 1 if burst.label.startswith("stampede") else ran > 1
    ran, served_stale, waited = rows["single flight + stale-while-revalidate"]
    assert (ran, waited) == (1, 0)  # nobody waits
    assert served_stale > 0
    assert rows["cache-aside, no guard"][0] == 40
    assert rows["XFetch on (beta 1)"][0] == 0 < rows["XFetch off (beta 0)"][0]


HITS_TARGET = re.compile(
    r"^\| [\w-]+ \| (list|detail) \| [^|]+ \| [^|]+ \| [\d.]+ \| at most [\d.]+ "
    r"\| (yes|\*\*no\*\*) \|$",
    re.MULTILINE,
)


@pytest.mark.real_redis
def test_hits_bench_checks_every_target_on_both_pages(redis_server, tmp_path):
    chart = tmp_path / "hits.svg"
    # The chart's quartiles need two repeats.
    written = run_bench("hits", tmp_path, "--chart", str(chart), repeat=2)
    assert len(HITS_TARGET.findall(written)) == len(targets()) * len(PAGES)
    assert "Where a hit's time goes" in written
    assert re.search(r"Inside Redis, per request .*tracked hit [\d.]+ µs", written)
    assert re.search(
        r"recording what it read took -?[\d,]+ µs of it \(\d+ statements, \d+ instances",
        written,
    )
    assert re.search(
        r"storing the entry and the caller's alias [\d,]+ µs \(one script.*\), and "
        r"reading them [\d,]+ µs.*Recording and storing, which no miss of the recipe "
        r"goes without, come to -?[\d,]+ µs: (more|less) than that 5%\.",
        written,
    )
    assert chart.read_text().lstrip().startswith("<?xml")


def test_a_miss_is_judged_pair_by_pair_against_the_uncached_request_beside_it():
    measured = [Measured(target) for target in targets_for("alice-token", "list")]
    twins = twins_of(measured)
    miss = next(
        m for m in measured if (m.target.name, m.target.state) == ("tracked", "miss")
    )
    assert twins[miss.target].target.name == UNCACHED
    assert twins[miss.target].target.state == "new query"
    assert not any(target.name == UNCACHED for target in twins)  # twins are not paired
    # A slow moment falls on one pair: the medians disagree, the pairs do not.
    miss.paired = [(103.0, 100.0), (206.0, 200.0), (412.0, 400.0)]
    miss.times_us = [103.0, 206.0, 412.0]
    twins[miss.target].times_us = [100.0, 100.0, 400.0]
    check = Check(("tracked", "miss"), (UNCACHED, "new query"), "alice-token", 1.05)
    assert check.ratio(measured, "list") == pytest.approx(1.03)


class ExpiringEntry:
    """A requester whose responses ran these numbers of queries, one after another."""

    def __init__(self, *queries: int) -> None:
        self.queries = list(queries)

    def send(self, target: object) -> tuple[int, dict, bytes]:
        ran = self.queries.pop(0)
        return 200, {"Server-Timing": f'db;dur=0.1;desc="{ran} queries"'}, b""


@pytest.mark.parametrize(("state", "sent", "expired"), [("hit", 2, 1), ("miss", 1, 0)])
def test_a_timed_hit_that_met_an_expired_entry_is_counted_and_sent_again(
    state, sent, expired
):
    """A 60-second entry expires several times in a run of minutes: its miss is not a
    hit, whichever recipe it befalls. A miss's queries are its own."""
    target = next(t for t in targets_for("alice-token", "list") if t.state == state)
    measured = Measured(target, queries=0)
    requester = ExpiringEntry(4, 0)
    timed_hit(requester, measured)
    assert (2 - len(requester.queries), measured.expired) == (sent, expired)


def test_docs_include_the_hits_tables_the_harness_wrote():
    assert len(HITS_TARGET.findall(included("hits"))) == len(targets()) * len(PAGES)
    assert "python -m harness.bench hits" in included("hits")


def test_the_benchmarks_page_opens_with_the_targets_its_table_counts():
    """The headline's count of targets met is the count of "yes" rows beside it, and it is
    the first thing the page includes."""
    hits = included("hits")
    met = re.search(r"Targets met in this run: (\d+) of (\d+)", hits)
    rows = [match[2] for match in HITS_TARGET.finditer(hits)]
    assert (int(met[1]), int(met[2])) == (rows.count("yes"), len(rows))
    page = (ROOT / "docs" / "benchmarks.md").read_text()
    first = re.search(r'--8<-- "([^"]+)"', page)[1]
    assert first == "docs/includes/numbers/hits.md:headline"


WORKLOAD_ROW = re.compile(
    r"^\| (?P<target>[^|]+?) \| [\d,]+ \| \d+% \| (\d+%)? \| (?P<stale>\d*) \| 0 \|$",
    re.MULTILINE,
)
BEST_INVALIDATING = re.compile(
    r"The fastest recipe whose entries writes end, (?P<best>.+?), answered [\d.]+ times the "
    r"uncached API's requests per second: the target is at least 2.5 times "
    r"\((met|\*\*not met\*\*)\)\. .* it could have reached [\d.]+ times\."
)
INVALIDATING = {
    "manual-keys",
    "versioning",
    "signals",
    "tracked",
    "stampede (signals, guarded)",
}


@pytest.mark.real_redis
@pytest.mark.slow
def test_workload_bench_serves_every_target_and_no_invalidating_one_stale(
    redis_server, tmp_path
):
    written = run_bench("workload", tmp_path, "--rounds", "1")
    rows = {row["target"]: row["stale"] for row in WORKLOAD_ROW.finditer(written)}
    assert set(rows) == {target.label for target in TARGETS}
    assert {rows[target] for target in INVALIDATING} == {"0"}
    assert BEST_INVALIDATING.search(written)["best"] in INVALIDATING


def test_docs_include_a_workload_table_where_no_invalidating_recipe_served_stale():
    rows = {
        row["target"]: row["stale"]
        for row in WORKLOAD_ROW.finditer(included("workload"))
    }
    assert set(rows) == {target.label for target in TARGETS}
    assert {rows[target] for target in INVALIDATING} == {"0"}
    assert "python -m harness.bench workload" in included("workload")
    assert BEST_INVALIDATING.search(included("workload"))["best"] in INVALIDATING
    assert WORKLOAD_NOISE.search(included("workload"))


WORKLOAD_NOISE = re.compile(
    r"A/A noise: the floor's two identical runs came [\d.]+% apart"
)


def test_a_workload_rate_is_its_median_round_so_one_slowed_round_barely_moves_it():
    """A round another process slowed to a quarter leaves the rate where the others put
    it; pooled (all requests over all seconds), it would fall by half."""
    run = Run(TARGETS[0], requests=3_000, rates=[500, 500, 125])
    assert run.per_second == 500


@pytest.mark.slow
def test_the_shared_cache_bench_serves_both_targets_and_nothing_stale(tmp_path):
    require_varnish()
    rows = {
        row["target"]: row["stale"]
        for row in WORKLOAD_ROW.finditer(
            run_bench("shared-cache", tmp_path, "--rounds", "1")  # one Varnish started
        )
    }
    assert rows == {APP_ALONE.label: "", THROUGH_VARNISH.label: "0"}


def test_docs_include_a_shared_cache_table_where_nothing_was_stale():
    rows = {
        row["target"]: row["stale"]
        for row in WORKLOAD_ROW.finditer(included("shared-cache"))
    }
    assert rows == {APP_ALONE.label: "", THROUGH_VARNISH.label: "0"}
    assert "python -m harness.bench shared-cache" in included("shared-cache")


def test_docs_include_the_monitoring_cost_the_harness_measured():
    from harness.monitoring_cost import RECIPES

    table = included("monitoring")
    assert "python -m harness.bench monitoring" in table
    for recipe in RECIPES:
        assert re.search(rf"^\| {recipe} \|( [\d,]+ µs \|){{4}}", table, re.MULTILINE)
    assert "Counting responses and commands adds" in table
    assert "Counting responses alone adds" in table


def test_docs_include_the_sizes_the_harness_measured():
    from harness.memory_sizes import RECIPES

    table = included("memory")
    assert "python -m harness.bench memory" in table
    for recipe in RECIPES:
        for page in PAGES:
            assert re.search(
                rf"^\| {recipe} \| {page} \| \d+, [\d,]+ \| \d+, [\d,]+ \|$",
                table,
                re.MULTILINE,
            ), (recipe, page)


ASGI_ROW = re.compile(
    r"^\| (?P<target>[^|]+) \|(?: [^|]+ \|){6} (?P<missed>\d+) \|$", re.M
)


def test_docs_include_the_asgi_table_the_harness_wrote():
    rows = {row["target"]: row["missed"] for row in ASGI_ROW.finditer(included("asgi"))}
    assert rows == dict.fromkeys(ASGI_TARGETS, "0")
    assert "python -m harness.bench asgi" in included("asgi")
