"""``python -m recipes.middleware``: the recipe's story, on an in-memory bookshop."""

import logging

from recipes.bookshop import sandbox

BOOKS = "/api/middleware/books/"


def main() -> None:
    sandbox.start()
    alice, bob = sandbox.client("alice-token"), sandbox.client("bob-token")

    print("A hit still authenticates the caller (one query for a token), and no more:")
    sandbox.tell("alice, first request", alice, "GET", BOOKS)
    sandbox.tell("alice, second request", alice, "GET", BOOKS)
    sandbox.tell("alice, HEAD", alice, "HEAD", BOOKS)

    print("\nBob's token is resolved before the lookup, so he gets his own entry:")
    shown = sandbox.tell("bob, first request", bob, "GET", BOOKS)
    favourites = sum(book["is_favorite"] for book in shown.response.json()["results"])
    print(f"  bob's page marks {favourites} favourites, his own")

    print("\nThe browsable API's HTML holds a CSRF token: it is never stored:")
    for attempt in ("first", "second"):
        sandbox.tell(
            f"alice, HTML, {attempt}", alice, "GET", BOOKS, HTTP_ACCEPT="text/html"
        )

    print("\nA revoked token is refused, not served its cached page:")
    from rest_framework.authtoken.models import Token

    logging.getLogger("django.request").setLevel(logging.ERROR)  # the 401 is expected
    Token.objects.filter(user__username="alice").delete()
    sandbox.tell("alice, token revoked", alice, "GET", BOOKS)

    print("\nNothing invalidates an entry: a write is seen when the entry expires.")


if __name__ == "__main__":
    main()
