"""``python -m recipes.cache_control``: the recipe's story, on an in-memory bookshop."""

from recipes.bookshop import sandbox

BOOKS = "/api/cache-control/books/"


def main() -> None:
    sandbox.start()

    print("What each caller is told it may keep of the book list:")
    for kind in ("anonymous", "alice-token", "bob-session"):
        response = sandbox.client(kind).get(BOOKS)
        print(f"  {kind:<14} Cache-Control: {response['Cache-Control']}")
    print(f"  {'every caller':<14} Vary: {response['Vary']}")

    print("\nWrites and errors are never kept:")
    alice = sandbox.client("alice-token")
    written = alice.patch(f"{BOOKS}1/", {"title": "Renamed"}, format="json")
    missing = alice.get(f"{BOOKS}999999/")
    print(f"  PATCH {written.status_code}  Cache-Control: {written['Cache-Control']}")
    print(f"  GET   {missing.status_code}  Cache-Control: {missing['Cache-Control']}")

    print("\nThe server caches nothing here; these headers act in browsers and CDNs:")
    sandbox.tell("alice, first request", alice, "GET", BOOKS)
    sandbox.tell("alice, second request", alice, "GET", BOOKS)


if __name__ == "__main__":
    main()
