"""``python -m recipes.cache_page``: the recipe's story, on an in-memory bookshop."""

from recipes.bookshop import sandbox

BOOKS = "/api/cache-page/books/"


def main() -> None:
    sandbox.start()
    alice, bob = sandbox.client("alice-token"), sandbox.client("bob-session")

    print("A list page is expensive to build, and free to serve again:")
    sandbox.tell("alice, first request", alice, "GET", BOOKS)
    sandbox.tell("alice, second request", alice, "GET", BOOKS)

    print("\nEvery caller gets an entry of their own (is_favorite is per user):")
    shown = sandbox.tell("bob, first request", bob, "GET", BOOKS)
    favourites = sum(book["is_favorite"] for book in shown.response.json()["results"])
    print(f"  bob's page marks {favourites} favourites, his own")

    print("\nWrites are never cached, and cache_page does not invalidate on them:")
    sandbox.tell("alice reads book 1", alice, "GET", f"{BOOKS}1/")
    sandbox.tell("alice renames it", alice, "PATCH", f"{BOOKS}1/", {"title": "Renamed"})
    stale = sandbox.tell("alice reads it again", alice, "GET", f"{BOOKS}1/")
    print(
        f"  title served: {stale.response.json()['title']!r} (stale until the entry expires)"
    )


if __name__ == "__main__":
    main()
