"""``python -m recipes.serializer_fields``: the recipe's story, on an in-memory bookshop."""

from recipes.bookshop import sandbox

API = "/api/serializer-fields/"


def main() -> None:
    sandbox.start()
    from recipes.bookshop.models import Review

    alice = sandbox.client("alice-token")

    print("Uncached, each book costs two queries for its author's fields:")
    sandbox.tell("no cache", alice, "GET", "/api/uncached/books/")

    print(
        "\nCached per row: one get_many for the page, one aggregate per field on a miss:"
    )
    sandbox.tell("cold", alice, "GET", f"{API}books/")
    sandbox.tell("warm", alice, "GET", f"{API}books/")

    print("\nThe no-cache answer: the database computes both fields with the page:")
    sandbox.tell("annotate()", alice, "GET", f"{API}books-annotated/")

    print("\nA new review forgets its author's rating, and only that:")
    Review.objects.create(book_id=1, rating=5)
    fresh = sandbox.tell("after a review", alice, "GET", f"{API}books/1/")
    print(
        f"  average rating served: {fresh.response.json()['author']['average_rating']}"
    )


if __name__ == "__main__":
    main()
