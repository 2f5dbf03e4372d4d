"""How cache tests are often isolated and written, and why each fails."""

from typing import Any


# --8<-- [start:key_prefix_per_worker]
def caches_per_worker(caches_setting: dict, worker: str) -> dict:
    """Give each xdist worker a key prefix of its own, in the one Redis database."""
    return {
        alias: {**entry, "KEY_PREFIX": f"test-{worker}"}
        for alias, entry in caches_setting.items()
    }


# --8<-- [end:key_prefix_per_worker]


# --8<-- [start:rolled_back_write]
def rename_and_reread(client: Any, path: str, book: str) -> tuple[Any, Any]:
    """Rename a book through the API with a plain test client, then read ``path``."""
    client.patch(
        book, {"title": "Renamed"}, format="json"
    )  # inside the test's transaction
    return client.get(path)


# --8<-- [end:rolled_back_write]
