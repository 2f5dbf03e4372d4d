"""A read and a write interleaved on purpose: the write commits while the read computes."""

from collections.abc import Callable
from typing import Any

import pytest

from recipes.manual_keys import views


def write_while_the_next_read_computes(
    monkeypatch: pytest.MonkeyPatch, write: Callable[[], Any]
) -> None:
    """Run ``write`` once, after a missing read has loaded its rows and before it stores.

    ``cache_tags`` runs exactly there: between the view computing the response and the
    store. A real server gets the same order from two requests on two threads.
    """
    original = views.BookViewSet.cache_tags
    pending = [write]

    def tags_after_a_write(self: Any, action: str, data: Any) -> set[str]:
        while pending:
            pending.pop()()
        return original(self, action, data)

    monkeypatch.setattr(views.BookViewSet, "cache_tags", tags_after_a_write)
