"""One definition of what a response depends on, checked against every recipe that keys one.

Two requests that differ in any part below may get different responses, so no recipe may
answer one from the entry (or confirm the ETag) of the other. Each case sends a request
twice (the second must be a hit: the key is stable), then its variant (never a hit).
"""

from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from django.utils import translation

from harness.testing import timing

# --8<-- [start:keyed]
KEYED = {  # every recipe that builds a cache key or an ETag: a path it serves
    "cache-page": "/api/cache-page/books/",
    "manual-keys": "/api/manual-keys/books/",
    "versioning": "/api/versioning/books/",
    "signals": "/api/signals/books/",
    "middleware": "/api/middleware/books/",
    "stampede": "/api/stampede/books/",
    "stampede (rendered)": "/api/stampede/rendered-books/",
    "conditional": "/api/conditional/books/",
}
# --8<-- [end:keyed]


@dataclass(frozen=True)
class Call:
    caller: str = "alice-token"
    detail: str = ""
    query: str = ""
    headers: dict[str, Any] = field(default_factory=dict)
    secure: bool = False


BASE = Call(headers={"HTTP_HOST": "api.localhost"})

# --8<-- [start:parts]
PARTS = {  # the part, and a request that differs from BASE in that part alone
    "user": replace(BASE, caller="bob-token"),
    "signed in or not": replace(BASE, caller="anonymous"),
    "authentication scheme": replace(BASE, caller="alice-session"),
    "format by ?format=": replace(BASE, query="?format=json"),
    "media type by Accept": replace(
        BASE, headers=BASE.headers | {"HTTP_ACCEPT": "application/json; indent=2"}
    ),
    "host": replace(BASE, headers={"HTTP_HOST": "mirror.localhost"}),
    "scheme": replace(BASE, secure=True),
    "path": replace(BASE, detail="2/"),
    "URL argument": replace(BASE, detail="3/"),
    "order of a parameter's values": replace(BASE, query="?tag=b&tag=a"),
    "one parameter or two": replace(BASE, query="?tag=a%26tag%3Db"),
    "language": replace(BASE, headers=BASE.headers | {"HTTP_ACCEPT_LANGUAGE": "fr"}),
}
# --8<-- [end:parts]
BASES = {  # what each variant is compared with, where BASE alone would not isolate it
    "path": replace(BASE, detail="1/"),
    "URL argument": replace(BASE, detail="1/"),
    "order of a parameter's values": replace(BASE, query="?tag=a&tag=b"),
    "one parameter or two": replace(BASE, query="?tag=a&tag=b"),
}


@pytest.fixture
def with_locale(settings):
    """Turn on ``LocaleMiddleware``, so that the language is chosen per request.

    ``LocaleMiddleware`` activates the language it chose in the thread and never turns it
    off; without the ``deactivate`` the next test in this process would answer in French.
    """
    middleware = list(settings.MIDDLEWARE)
    after = middleware.index("django.contrib.sessions.middleware.SessionMiddleware")
    middleware.insert(after + 1, "django.middleware.locale.LocaleMiddleware")
    settings.MIDDLEWARE = middleware
    yield
    translation.deactivate()


def send(api_client, path: str, call: Call, etag: str | None = None):
    extra = {"HTTP_ACCEPT_LANGUAGE": "en-us"} | call.headers
    if etag:
        extra["HTTP_IF_NONE_MATCH"] = etag
    url = f"{path}{call.detail}{call.query}"
    return api_client(call.caller).get(url, secure=call.secure, **extra)


def served_from(response, *, revalidating: bool) -> bool:
    """Whether ``response`` came from what an earlier request left (entry or ETag)."""
    if revalidating:
        return response.status_code == 304
    return timing(response).cache in ("hit", "stale")


@pytest.mark.parametrize("part", sorted(PARTS))
@pytest.mark.parametrize("recipe", sorted(KEYED))
def test_a_request_that_differs_in_one_part_is_never_answered_from_another(
    api_client, with_locale, recipe, part
):
    path, revalidating = KEYED[recipe], recipe == "conditional"
    base = BASES.get(part, BASE)
    first = send(api_client, path, base)
    assert first.status_code == 200
    etag = first.get("ETag") if revalidating else None

    again = send(api_client, path, base, etag)
    variant = send(api_client, path, PARTS[part], etag)

    assert served_from(again, revalidating=revalidating), "the key is not stable"
    assert variant.status_code in (200, 304)
    assert not served_from(variant, revalidating=revalidating)
