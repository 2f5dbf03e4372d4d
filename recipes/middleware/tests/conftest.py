import pytest

from recipes.bookshop.models import Favorite


@pytest.fixture
def book_id(bookshop: None) -> int:
    """A book that alice has marked as a favourite and bob has not."""
    return (
        Favorite.objects.filter(user__username="alice")
        .order_by("book_id")
        .first()
        .book_id
    )


@pytest.fixture
def naive_middleware(settings: pytest.FixtureRequest) -> None:
    """Install the seed's middleware, last, where it can read ``request.user``."""
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        "recipes.middleware.tests.naive.ViewSetCacheMiddleware",
    ]
    settings.ROOT_URLCONF = "recipes.middleware.tests.naive"
