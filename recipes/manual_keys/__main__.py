"""``python -m recipes.manual_keys``: the recipe's story, on an in-memory bookshop."""

from recipes.bookshop import sandbox

BOOKS = "/api/manual-keys/books/"


def main() -> None:
    sandbox.start()
    alice, bob = sandbox.client("alice-token"), sandbox.client("bob-session")

    print(
        "The data of a list page is cached per user; a hit costs only authentication:"
    )
    sandbox.tell("alice, first request", alice, "GET", BOOKS)
    sandbox.tell("alice, second request", alice, "GET", BOOKS)
    sandbox.tell("bob, first request", bob, "GET", BOOKS)

    print("\nA write deletes the entries tagged with what it changed, and only those:")
    sandbox.tell("alice reads book 2", alice, "GET", f"{BOOKS}2/")
    sandbox.tell("alice reads book 3", alice, "GET", f"{BOOKS}3/")
    sandbox.tell(
        "alice renames book 2", alice, "PATCH", f"{BOOKS}2/", {"title": "Renamed"}
    )
    fresh = sandbox.tell("alice reads book 2", alice, "GET", f"{BOOKS}2/")
    print(f"  title served: {fresh.response.json()['title']!r}")
    sandbox.tell("alice reads book 3", alice, "GET", f"{BOOKS}3/")
    sandbox.tell("bob reads the list", bob, "GET", BOOKS)


if __name__ == "__main__":
    main()
