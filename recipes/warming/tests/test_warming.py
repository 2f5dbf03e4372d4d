"""Warming writes the entries requests read, once; says what failed; refreshes on write."""

import os
import subprocess
import sys

import pytest
from django.core.cache import caches
from django.core.management import CommandError, call_command

from harness.testing import Timing, timing
from recipes.bookshop import sandbox
from recipes.warming.cache_warming import Target, warm

PAGES = [
    "/api/warming/books/",
    "/api/warming/books/?page=2",
    "/api/warming/authors/",
    "/api/warming/books/1/",
    "/api/warming/books/2/",
]
DOWN = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        "OPTIONS": {"IGNORE_EXCEPTIONS": True},
    }
}


def targets(paths=PAGES):
    return [Target(path, host="testserver") for path in paths]  # as the test client


def stored_keys() -> dict[str, object]:
    cache = caches["default"]
    return {key: cache.get(key) for key in cache.keys("*")}


# --8<-- [start:warmed_hits]
def test_warmed_pages_are_hits_that_run_no_query(bookshop):
    report = warm(targets(), concurrency=1)

    assert (report.written, report.skipped, report.failed) == (PAGES, [], [])
    anonymous = sandbox.client("anonymous")
    for path in PAGES:
        assert timing(anonymous.get(path)) == Timing(cache="hit", queries=0), path


# --8<-- [end:warmed_hits]


# --8<-- [start:twice]
def test_warming_twice_writes_nothing_new(bookshop):
    warm(targets(), concurrency=1)
    entries = stored_keys()

    again = warm(targets(), concurrency=1)

    assert (again.written, again.skipped, again.failed) == ([], PAGES, [])
    assert stored_keys() == entries


# --8<-- [end:twice]


def test_pages_are_warmed_several_at_a_time(bookshop):
    report = warm(targets(), concurrency=4)

    assert sorted(report.written) == sorted(PAGES)
    assert report.failed == []


def test_a_page_that_is_not_cached_or_not_there_fails_with_the_reason(bookshop):
    report = warm(targets(["/api/uncached/books/", "/api/warming/books/99999/"]))

    assert report.failed == [
        ("/api/uncached/books/", "not stored (the next request was a bypass)"),
        ("/api/warming/books/99999/", "status 404"),
    ]


def test_a_cache_that_keeps_nothing_stops_the_run_before_any_request(
    bookshop, settings, django_assert_num_queries
):
    settings.CACHES = DOWN
    sandbox.collect_cache_errors()

    with (
        django_assert_num_queries(0),
        pytest.raises(CommandError, match="cannot keep entries: Redis ConnectionError"),
    ):
        warm(targets())


def test_a_cache_that_drops_what_it_is_given_stops_the_run(bookshop, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    }

    with pytest.raises(CommandError, match="did not keep a probe entry"):
        warm(targets())


# --8<-- [start:command]
def test_the_command_reports_written_skipped_and_failed(bookshop, capsys):
    call_command("warm", "--host", "testserver", *PAGES[:2])
    with pytest.raises(CommandError, match="1 of 3 paths failed"):
        call_command(
            "warm", "--host", "testserver", *PAGES[:2], "/api/warming/books/0/"
        )

    report = capsys.readouterr().out
    assert "written │ 2" in report
    assert "skipped │ 2" in report
    assert "/api/warming/books/0/: status 404" in report


# --8<-- [end:command]


def test_a_dry_run_lists_the_pages_and_requests_none(bookshop, capsys):
    call_command("warm", "--dry-run", "--https", "--host", "api.example.com")

    listed = capsys.readouterr().out
    assert all(
        path in listed for path in ["/api/warming/books/1/", "/api/warming/authors/"]
    )
    assert "https://api.example.com" in listed
    assert stored_keys() == {}


def test_the_command_refuses_a_concurrency_below_one(bookshop):
    with pytest.raises(CommandError, match="--concurrency must be 1 or more"):
        call_command("warm", "--concurrency", "0")


# --8<-- [start:redis_down]
def test_warming_with_redis_down_exits_1_with_the_reason_and_no_traceback(tmp_path):
    env = os.environ | {
        "REDIS_URL": "redis://127.0.0.1:1/0",  # nothing listens there
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-m", "recipes", "warm"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 1
    assert "CommandError: the cache 'default' cannot keep entries:" in result.stderr
    assert "Traceback" not in result.stderr


# --8<-- [end:redis_down]


# --8<-- [start:refresh]
def test_a_write_leaves_the_next_reader_a_fresh_hit(book_id):
    alice, anonymous = sandbox.client("alice-token"), sandbox.client("anonymous")
    anonymous.get("/api/warming/books/")

    alice.patch(f"/api/warming/books/{book_id}/", {"title": "Refreshed"}, format="json")

    after = anonymous.get("/api/warming/books/")
    assert timing(after).cache == "hit"
    assert after.content == anonymous.get("/api/uncached/books/").content.replace(
        b"/api/uncached/", b"/api/warming/"
    )


def test_without_the_refresh_the_next_reader_pays_the_miss(book_id):
    alice, anonymous = sandbox.client("alice-token"), sandbox.client("anonymous")
    anonymous.get("/api/versioning/books/")

    alice.patch(f"/api/versioning/books/{book_id}/", {"title": "Later"}, format="json")

    assert timing(anonymous.get("/api/versioning/books/")).cache == "miss"


# --8<-- [end:refresh]
