"""``python -m recipes.versioning``: the recipe's story, on an in-memory bookshop."""

from django.core.cache import cache

from recipes.bookshop import sandbox

BOOKS = "/api/versioning/books/"


def main() -> None:
    sandbox.start()
    alice, bob = sandbox.client("alice-token"), sandbox.client("bob-token")

    print("Entries are keyed on the versions of the namespaces they depend on:")
    sandbox.tell("alice, first request", alice, "GET", BOOKS)
    sandbox.tell("alice, second request", alice, "GET", BOOKS)
    sandbox.tell("bob, first request", bob, "GET", BOOKS)
    print(f"  versions: {dict(sorted(cache.get_many(cache.keys('ns:*')).items()))}")

    print("\nalice's favourite bumps only her namespace; bob keeps his entry:")
    sandbox.tell("alice toggles book 1", alice, "POST", f"{BOOKS}1/favorite/")
    sandbox.tell("alice reads the list", alice, "GET", BOOKS)
    sandbox.tell("bob reads the list", bob, "GET", BOOKS)

    print("\nA rename bumps 'books': every book entry is old at once:")
    sandbox.tell(
        "alice renames book 1", alice, "PATCH", f"{BOOKS}1/", {"title": "Renamed"}
    )
    sandbox.tell("bob reads the list", bob, "GET", BOOKS)

    print("\nEvicting a version restarts it above every old one, never at 1:")
    cache.delete("ns:books")
    sandbox.tell("bob reads the list", bob, "GET", BOOKS)


if __name__ == "__main__":
    main()
