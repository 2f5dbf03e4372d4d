"""``python -m recipes.<name>`` runs each recipe's notebook in a terminal, on the embedded
default: the one narration of a recipe, told without Jupyter."""

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings


@pytest.mark.parametrize("package", settings.COOKBOOK_RECIPES + settings.COOKBOOK_TOOLS)
def test_story_runs_and_any_miss_is_followed_by_a_cheaper_hit(package):
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    result = subprocess.run(
        [sys.executable, "-m", package],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    outcomes = [
        (match["cache"], int(match["queries"]))
        for match in re.finditer(
            r"cache (?P<cache>\w+)\s+(?P<queries>\d+) queries", result.stdout
        )
    ]
    misses = [i for i, (cache, _) in enumerate(outcomes) if cache == "miss"]
    if not misses:  # a recipe that sets headers only: no server cache to show
        assert outcomes
        return
    first_miss = misses[0]
    assert any(
        cache == "hit" and queries < outcomes[first_miss][1]
        for cache, queries in outcomes[first_miss:]
    )
