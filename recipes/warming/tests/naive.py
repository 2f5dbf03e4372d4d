"""How warming scripts are often written, and why each warms nothing a request reads."""

from urllib.parse import urlsplit

from django.test import Client, RequestFactory
from django.urls import resolve


# --8<-- [start:by_calling_views]
def warm_by_calling_views(paths: list[str]) -> None:
    """Call each page's view with a request from RequestFactory."""
    factory = RequestFactory()
    for path in paths:
        match = resolve(urlsplit(path).path)
        match.func(factory.get(path), *match.args, **match.kwargs)


# --8<-- [end:by_calling_views]


# --8<-- [start:trusting_200]
def warm_and_count_200s(paths: list[str]) -> int:
    """Request each page; count the pages that answered 200 as warmed."""
    client = Client()
    return sum(client.get(path).status_code == 200 for path in paths)


# --8<-- [end:trusting_200]
