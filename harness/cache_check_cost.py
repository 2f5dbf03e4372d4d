"""How long the cache check takes on the demo, with its default budget, per recipe.

``python -m harness.bench cache-check`` seeds the bookshop on a private ``redis-server``
and runs ``check_cache`` with its defaults on three recipes' operations: one that
invalidates by declared namespaces, one that tracks what it read, and one whose entries
only expire (its staleness accepted).
"""

RECIPES = {"versioning": False, "tracked": False, "middleware": True}  # accept_stale
CALLERS = ("anonymous", "alice-token", "bob-session")


def run_cache_check_cost() -> str:
    from recipes.cache_check.cache_check import check_cache
    from recipes.cache_check.tests.conftest import callers_of

    rows = [
        "| Recipe | Operations checked | Scenarios | Cached reads accepted as stale "
        "| Time |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for slug, accept_stale in RECIPES.items():
        report = check_cache(
            "/api/schema/",
            callers_of(*CALLERS),
            paths=f"^/api/{slug}/",
            accept_stale=accept_stale,
        )
        rows.append(
            f"| {slug} | {report.operations} | {report.scenarios} | "
            f"{report.stale_reads} | {report.seconds:.1f} s |"
        )
    return "\n".join(rows)
