"""The invalidation of adrf-caching-style list caches, in short: a write drops the writer's
own cached lists, keyed by user. Another user's, and the anonymous visitors', stay."""

from collections.abc import Callable
from typing import Any


# --8<-- [start:naive]
class WritersListsOnly:
    def __init__(self) -> None:
        self.lists: dict[str, Any] = {}

    def key(self, user_id: int | None) -> str:
        return f"list:{user_id or 'anonymous'}"

    def read(self, user_id: int | None, compute: Callable[[], Any]) -> Any:
        return self.lists.setdefault(self.key(user_id), compute())

    def written(self, user_id: int) -> None:
        self.lists.pop(self.key(user_id), None)


# --8<-- [end:naive]
