"""Testing cache behaviour: isolated caches, hit and miss queries, freshness, and time."""

SLUG = "testing"
TITLE = "Testing cache behaviour in your own project"
#: What a reader copies into their app: the files (or folder) its page names.
COPY_UNIT = ("recipes/testing/cache_testing.py",)
DEPENDENCIES = {
    "pytest": ("pytest",),
    "time-machine": ("time_machine",),  # its pytest fixture moves the clock
    "fakeredis": ("fakeredis",),  # the tests' Redis where no real one is named
}
