"""How cache metrics are often collected, and what each gets wrong."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from prometheus_client import CollectorRegistry, Counter

NAIVE_REGISTRY = CollectorRegistry()


# --8<-- [start:per_path]
PATH_RESPONSES = Counter(
    "naive_cache_responses",
    "Responses by path and cache outcome.",
    ["path", "outcome"],
    registry=NAIVE_REGISTRY,
)


class PathMetricsMiddleware:
    """Count responses by their path: one series per book, page and query string."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        hit = 'desc="hit"' in response.get("Server-Timing", "")
        PATH_RESPONSES.labels(request.get_full_path(), "hit" if hit else "miss").inc()
        return response


# --8<-- [end:per_path]


# --8<-- [start:keyspace_ratio]
def keyspace_hit_ratio(info: dict[str, int]) -> float:
    """The hit ratio as Redis's INFO gives it: keys found over keys looked up."""
    return info["keyspace_hits"] / (info["keyspace_hits"] + info["keyspace_misses"])


# --8<-- [end:keyspace_ratio]
