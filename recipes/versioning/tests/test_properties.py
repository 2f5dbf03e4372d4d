"""Random reads and writes by several users never differ from the uncached API."""

import pytest

from harness.consistency import ConsistencyMachine, check_consistency


class VersioningConsistency(ConsistencyMachine):
    slug = "versioning"


@pytest.mark.slow
def test_reads_always_match_the_uncached_api(bookshop):
    check_consistency(VersioningConsistency)
