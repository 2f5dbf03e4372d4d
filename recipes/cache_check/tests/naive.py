"""Caches the check must find wrong, each a version found in the wild or a slip a reader
makes in a correct recipe. Served only by this recipe's tests, through ``urls.py`` here."""

import itertools
from typing import Any

from rest_framework.request import Request

from recipes.versioning import views as versioning


# --8<-- [start:missing_namespace]
class BookViewSetMissingANamespace(versioning.BookViewSet):
    """The versioning recipe, with one namespace forgotten: the caller's favourites."""

    def cache_namespaces(self, request: Request, action: str) -> set[str]:
        return {"books", "authors"}  # is_favorite reads favorites:<user> too


# --8<-- [end:missing_namespace]


JOB_RUNS = itertools.count(1)


def renamed_by_a_job() -> Any:
    """A bulk rename through a plain QuerySet, as in a project whose models do not use
    the signals recipe's ``InvalidatingQuerySet``: no signal, no bump."""
    from django.db.models import QuerySet

    from recipes.bookshop.models import Book

    first_page = QuerySet(Book).order_by("id").values_list("pk", flat=True)[:3]
    title = f"Renamed by a job, run {next(JOB_RUNS)}"  # each run changes the titles
    return QuerySet(Book).filter(pk__in=list(first_page)).update(title=title)
