"""Under each eviction policy, with Redis full, no recipe serves stale or foreign data."""

import itertools
import random

import pytest

from harness.testing import read_both
from recipes.bookshop import sandbox
from recipes.memory.redis_memory import memory_figures

from .conftest import tighten

POLICIES = ("allkeys-lru", "volatile-lru", "noeviction")
# One of each way to invalidate: tags, signals bumping versions (conditional and
# versioning bump the same Namespaces), marks of what was read, row fields, and a guarded
# versioned entry.
INVALIDATING = ("manual-keys", "signals", "tracked", "serializer-fields", "stampede")
READERS = ("anonymous", "alice-token")


def paths(slug: str) -> list[str]:
    books = f"/api/{slug}/books/"
    return [books, f"/api/{slug}/authors/", *(f"{books}{n}/" for n in range(1, 7))]


# --8<-- [start:every_policy]
@pytest.mark.real_redis
@pytest.mark.parametrize("slug", INVALIDATING)
@pytest.mark.parametrize("policy", POLICIES)
def test_a_full_redis_never_makes_a_recipe_serve_stale_or_foreign_data(
    bookshop, squeezed, policy, slug
):
    redis = squeezed(policy)
    readers = {kind: sandbox.client(kind) for kind in READERS}
    alice, draw = sandbox.client("alice-token"), random.Random(f"{policy}{slug}")
    for kind, path in itertools.product(READERS, paths(slug)):
        readers[kind].get(path)
    tighten(redis)  # (1)!

    differences = []
    for step in range(3):
        for _ in range(30):
            readers[draw.choice(READERS)].get(draw.choice(paths(slug)))
        book = draw.randint(1, 6)
        alice.patch(
            f"/api/{slug}/books/{book}/", {"title": f"Step {step}"}, format="json"
        )
        differences += [
            (kind, path)
            for kind, reader in readers.items()
            for path in paths(slug)
            if (read := read_both(reader, path))[0] != read[1]  # (2)!
        ]

    figures = memory_figures()
    assert differences == []
    assert figures["evicted_keys" if policy != "noeviction" else "refused_for_memory"]


# --8<-- [end:every_policy]
