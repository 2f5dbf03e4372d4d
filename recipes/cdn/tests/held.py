"""A test server's hook: hold a rendered response until the test releases it, as a slow
render does when a write commits meanwhile."""

import os
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from django.http import HttpRequest, HttpResponse

from harness.redis_topology import wait_until

HOLD_DIR = "CDN_TEST_HOLD_DIR"  # set in the test server's environment alone


class HoldAfterRender:
    """For a request with ``X-Hold``: render it (its queries done), say so by creating
    ``held``, and answer once the test has created ``release`` (at most 30 s)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.folder = Path(os.environ[HOLD_DIR])

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "X-Hold" in request.headers:
            (self.folder / "held").touch()
            with suppress(RuntimeError):  # not released in time: answer anyway
                wait_until((self.folder / "release").exists, "released", within=30)
        return response
