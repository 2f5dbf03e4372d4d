"""articles/test_cache_check.py: the cache check, as one test of the project's own suite."""

# --8<-- [start:tests]
from .cache_check import cache_check_test

test_the_cache_answers_as_the_api_does = cache_check_test(
    "/api/schema/", callers="cache_callers", max_examples=8, steps=6
)
# --8<-- [end:tests]
