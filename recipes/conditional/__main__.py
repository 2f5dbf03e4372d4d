"""``python -m recipes.conditional``: the recipe's story, on an in-memory bookshop."""

import logging

from recipes.bookshop import sandbox

BOOK = "/api/conditional/books/1/"


def main() -> None:
    sandbox.start()
    alice, bob = sandbox.client("alice-token"), sandbox.client("bob-token")
    logging.getLogger("django.request").setLevel(logging.ERROR)  # the 412 is expected

    print(
        "The first read gets an ETag; revalidating with it costs authentication only:"
    )
    first = sandbox.tell("alice reads book 1", alice, "GET", BOOK)
    etag = first.response["ETag"]
    sandbox.tell("alice revalidates", alice, "GET", BOOK, HTTP_IF_NONE_MATCH=etag)
    print(f"  ETag: {etag}")

    print("\nBob writes; alice's copy is no longer current:")
    sandbox.tell("bob renames book 1", bob, "PATCH", BOOK, {"title": "Bob's title"})
    sandbox.tell("alice revalidates", alice, "GET", BOOK, HTTP_IF_NONE_MATCH=etag)

    print("\nAnd alice cannot overwrite bob's version from her old one:")
    refused = sandbox.tell(
        "alice writes from old ETag",
        alice,
        "PATCH",
        BOOK,
        {"title": "Alice's title"},
        HTTP_IF_MATCH=etag,
    )
    print(f"  {refused.response.json()['detail']}")


if __name__ == "__main__":
    main()
