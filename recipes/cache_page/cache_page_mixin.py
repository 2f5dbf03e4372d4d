# From the DRF caching cookbook 0.8.2 (its CHANGELOG.md says what changed since).
# Supports Django 5.2 LTS (5.2.19+) on Python 3.11+, and Django 6 on Python 3.12+.
"""Cache DRF ViewSet actions with Django's ``cache_page``, without mixing up users or formats.

How the caching works:

* Pages that hold the caller's CSRF token (the browsable API's HTML) are never stored.
* Only the actions named in ``cache_timeouts`` are cached (``list`` and ``retrieve`` by
  default), each for its own number of seconds. Only GET and HEAD requests answered with a
  200 are stored; HEAD is answered from the GET entry.
* The stored value is the whole rendered response. Its key is Django's page-cache key: the
  absolute URL (scheme, host, path, query string) plus the value of every request header the
  response's ``Vary`` names.
* Responses vary on ``Accept`` (the format DRF negotiated), ``Authorization`` (token
  credentials) and ``Cookie`` (the session). A JSON client never gets browsable-API HTML, no
  user is served another's per-user fields, and absolute pagination links name the host the
  request came to.
* The cache wraps ``dispatch``, around DRF's whole request cycle, so what it stores is the
  finalized response, with the ``Vary`` header DRF and this mixin put on it.
* A hit runs no authentication, no view code and no query. Nothing invalidates an entry:
  after a write, readers see the old response until the timeout ends.
* Responses say ``Cache-Control: private, no-cache``: the server's copy is the only one kept,
  so browsers and CDNs don't add a second layer that nothing can invalidate.
* Each response reports the outcome in ``Server-Timing``: ``cache;desc="hit"``, ``"miss"``,
  or ``"bypass"`` for actions that are not cached.
"""

from collections.abc import Callable, Mapping, Sequence

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import cache_page
from django.views.decorators.vary import vary_on_headers
from rest_framework.response import Response


# --8<-- [start:mixin]
class CachePageMixin:
    """Cache chosen ViewSet actions with ``cache_page``, keyed on everything that changes them."""

    cache_timeouts: Mapping[str, int] = {"list": 60, "retrieve": 300}
    cache_vary_on: Sequence[str] = ("Accept", "Authorization", "Cookie")  # (1)!
    cache_alias: str = "default"
    cache_key_prefix: str = ""

    def dispatch(
        self, request: HttpRequest, *args: object, **kwargs: object
    ) -> HttpResponseBase:
        action = self.action_map.get(request.method.lower())  # (2)!
        timeout = self.cache_timeouts.get(action)
        if timeout is None:
            response = super().dispatch(request, *args, **kwargs)
            return report_cache_outcome(response, "bypass")

        ran_view = False

        def build_response(
            request: HttpRequest, *args: object, **kwargs: object
        ) -> Response:
            nonlocal ran_view
            ran_view = True
            response = super(CachePageMixin, self).dispatch(
                request, *args, **kwargs
            )  # (3)!
            return keep_csrf_tokens_out_of_the_cache(request, response)

        response = self._cached(build_response, timeout)(request, *args, **kwargs)
        after_render(response, keep_out_of_other_caches)  # (4)!
        return report_cache_outcome(response, "miss" if ran_view else "hit")

    def _cached(self, view: Callable, timeout: int) -> Callable:
        """Wrap ``view`` in ``cache_page``, with the ``Vary`` headers applied first."""
        varied = vary_on_headers(*self.cache_vary_on)(view)
        return cache_page(
            timeout, cache=self.cache_alias, key_prefix=self.cache_key_prefix
        )(varied)


# --8<-- [end:mixin]


# --8<-- [start:helpers]
def keep_out_of_other_caches(response: HttpResponseBase) -> None:
    """Tell browsers and CDNs to ask again each time: one cached copy, the server's, is enough."""
    patch_cache_control(response, private=True, no_cache=True)


def after_render(response: HttpResponseBase, callback: Callable) -> None:
    """Run ``callback`` once ``response`` is rendered, after ``cache_page`` has stored it.

    ``cache_page`` stores a DRF response in a post-render callback, and refuses to store one
    marked ``private`` or ``no-cache``; a callback registered after it sees the stored response
    go by and marks only what leaves the server.
    """
    if hasattr(response, "add_post_render_callback"):
        response.add_post_render_callback(callback)  # runs at once if already rendered
    else:
        callback(response)


def report_cache_outcome(response: HttpResponseBase, outcome: str) -> HttpResponseBase:
    """Set the ``cache`` metric of ``Server-Timing`` to ``outcome`` (hit, miss or bypass).

    Each recipe module carries its own copy of this helper, so that it can be copied alone.
    """
    response["Server-Timing"] = f'cache;desc="{outcome}"'
    return response


# --8<-- [end:helpers]


# --8<-- [start:csrf]
def keep_csrf_tokens_out_of_the_cache(
    request: HttpRequest, response: HttpResponseBase
) -> HttpResponseBase:
    """Render now, and mark a page that holds the caller's CSRF token ``private``.

    The browsable API renders a CSRF token into every page, and the cookie that goes with
    it is set by middleware outside ``cache_page``, where it cannot see it: a stored page
    would hand one visitor's token to the next. ``cache_page`` stores nothing ``private``.
    """
    if hasattr(response, "render"):
        response.render()
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        patch_cache_control(response, private=True)
    return response


# --8<-- [end:csrf]
