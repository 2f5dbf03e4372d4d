import pytest

from recipes.monitoring.cache_metrics import reset_counters


@pytest.fixture(autouse=True)
def counters_from_zero():
    """Every test counts from zero: the counters are the process's own."""
    reset_counters()
