"""Single flight on the event loop: of the requests that miss one entry at once, one
renders it in a thread, and the others wait for it on the loop, then read it."""

import asyncio
import threading

from asgiref.sync import async_to_sync
from rest_framework.test import APIRequestFactory

from recipes.async_cache import views
from recipes.bookshop.server_timing import parse_server_timing
from recipes.tracked.async_hits import LoopFlights

BOOKS = "/api/async-cache/books/"


# --8<-- [start:flight]
def test_requests_that_miss_one_entry_at_once_render_it_once(
    api_client, counted, monkeypatch
):
    followers = 5
    token = api_client("alice-token")._credentials["HTTP_AUTHORIZATION"]
    everyone_waits = held_until_everyone_waits(monkeypatch, followers)
    view = views.BookViewSet.as_view({"get": "list"})

    async def together() -> list:
        requests = [
            APIRequestFactory().get(BOOKS, HTTP_AUTHORIZATION=token)
            for _ in range(1 + followers)
        ]
        return await asyncio.gather(*(view(request) for request in requests))

    answers = async_to_sync(together)()

    assert everyone_waits.is_set()
    assert sorted(map(cache_outcome, answers)) == ["miss"] + ["waited"] * followers
    assert counted.dispatch == 1  # one render, in one thread
    assert len({rendered(answer).content for answer in answers}) == 1


def rendered(response):
    """The miss is DRF's response, rendered by Django's handler after the view."""
    return response.render() if hasattr(response, "render") else response


def cache_outcome(response) -> str:
    return parse_server_timing(response["Server-Timing"])["cache"]["desc"]


def held_until_everyone_waits(monkeypatch, followers: int) -> threading.Event:
    """Hold the render (in its thread) until ``followers`` requests wait for it on the
    loop: without single flight they would never wait, and the render would give up."""
    waiting, everyone_waits = [], threading.Event()
    follow, render = LoopFlights.follow, views.BookViewSet.list

    async def counted_follow(self, landed):
        waiting.append(landed)
        if len(waiting) == followers:
            everyone_waits.set()
        await follow(self, landed)

    def held_render(self, request, *args, **kwargs):
        everyone_waits.wait(timeout=10)
        return render(self, request, *args, **kwargs)

    monkeypatch.setattr(LoopFlights, "follow", counted_follow)
    monkeypatch.setattr(views.BookViewSet, "list", held_render)
    return everyone_waits


# --8<-- [end:flight]
