"""Is my cache right? A check of any DRF API against itself, cached and uncached."""

SLUG = "cache-check"
TITLE = "Is my cache right?"
#: What a reader copies into their app: the files (or folder) its page names.
COPY_UNIT = ("recipes/cache_check/cache_check.py",)
DEPENDENCIES = {
    "schemathesis": ("schemathesis",),  # requests generated from the schema
    "hypothesis": ("hypothesis",),  # which schemathesis runs on: shrinking, the seed
    "pytest": ("pytest",),
    "pytest-django": ("pytest_django",),  # the database the test runs in
}
