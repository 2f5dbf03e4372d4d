"""The bookshop's page numbers: DRF's, with the page size read when a page is cut."""

from rest_framework.pagination import PageNumberPagination
from rest_framework.settings import api_settings


class PageNumbers(PageNumberPagination):
    """``PageNumberPagination`` reads ``PAGE_SIZE`` once, when Django starts. This reads it
    for every page, so that ``override_settings`` applies: the consistency machines cut
    the list into pages of a few books, which puts their writes on the first two pages
    at a tenth of the rendering."""

    @property
    def page_size(self) -> int | None:  # type: ignore[override]
        return api_settings.PAGE_SIZE
