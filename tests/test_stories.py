"""``python -m recipes.<name>`` tells each recipe's story on the embedded default."""

import os
import subprocess
import sys

import pytest
from django.conf import settings


@pytest.mark.parametrize("package", settings.COOKBOOK_RECIPES)
def test_story_runs_and_shows_a_miss_then_a_hit(package):
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
    lines = result.stdout.splitlines()
    first_miss = next(i for i, line in enumerate(lines) if "cache miss" in line)
    assert any(
        "cache hit" in line and " 0 queries" in line for line in lines[first_miss:]
    )
