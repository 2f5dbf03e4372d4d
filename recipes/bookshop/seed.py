"""Fill the bookshop with the same data every time.

Two sizes: ``small`` for tests and notebooks (two pages of books) and ``bench`` (about 200
authors, 5,000 books and 20,000 reviews) for benchmarks. Both create the demo users ``alice``
and ``bob`` (password ``cookbook``, demo only) with API tokens and different favourites, so a
response that leaks from one user to the other shows up in ``is_favorite``.
"""

import datetime
import functools
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from rest_framework.authtoken.models import Token

from .models import Author, Book, Favorite, Review

DEMO_USERS = ("alice", "bob")
DEMO_PASSWORD = "cookbook"

_FIRST = (
    "Ada",
    "Grace",
    "Alan",
    "Edsger",
    "Barbara",
    "Donald",
    "Margaret",
    "Ken",
    "Frances",
)
_LAST = (
    "Lovelace",
    "Hopper",
    "Turing",
    "Dijkstra",
    "Liskov",
    "Knuth",
    "Hamilton",
    "Thompson",
)
_WORDS = (
    "Cache",
    "Key",
    "Stale",
    "Vary",
    "Redis",
    "Query",
    "Header",
    "Token",
    "Page",
    "Hit",
)


@dataclass(frozen=True)
class SeedSize:
    authors: int
    books: int
    reviews: int


SIZES = {
    "small": SeedSize(authors=10, books=60, reviews=180),
    "bench": SeedSize(authors=200, books=5_000, reviews=20_000),
}


@transaction.atomic
def seed(size: str = "small", *, random_seed: int = 2026) -> SeedSize:
    """Replace the bookshop's rows with a deterministic data set of the given size."""
    counts = SIZES[size]
    rng = random.Random(random_seed)
    for model in (Favorite, Review, Book, Author):
        model.objects.all().delete()
    authors = Author.objects.bulk_create(
        Author(name=f"{rng.choice(_FIRST)} {rng.choice(_LAST)} {n}")
        for n in range(1, counts.authors + 1)
    )
    books = Book.objects.bulk_create(
        _book(rng, n, authors) for n in range(1, counts.books + 1)
    )
    Review.objects.bulk_create(
        Review(book=rng.choice(books), rating=rng.randint(1, 5), body="")
        for _ in range(counts.reviews)
    )
    alice, bob = (_demo_user(name) for name in DEMO_USERS)
    Favorite.objects.bulk_create(
        [Favorite(user=alice, book=book) for book in books[::3]]
        + [Favorite(user=bob, book=book) for book in books[1::4]]
    )
    return counts


def _book(rng: random.Random, n: int, authors: list[Author]) -> Book:
    return Book(
        title=f"{rng.choice(_WORDS)} {rng.choice(_WORDS)} {n}",
        author=authors[n % len(authors)],
        published=datetime.date(1990, 1, 1)
        + datetime.timedelta(days=rng.randrange(12_000)),
        price=Decimal(rng.randrange(500, 6_000)) / 100,
    )


@functools.cache
def demo_password_hash() -> str:
    """The demo password, hashed once per process: both users share it, and each hash
    is a PBKDF2 run, slow by design, and every notebook, server and test worker seeds."""
    return make_password(DEMO_PASSWORD)


def _demo_user(username: str):
    user, _ = get_user_model().objects.get_or_create(username=username)
    user.password = demo_password_hash()
    user.save()
    Token.objects.get_or_create(user=user)
    return user
