"""``python -m recipes.signals``: the recipe's story, on an in-memory bookshop."""

from recipes.bookshop import sandbox

BOOKS = "/api/signals/books/"


def main() -> None:
    sandbox.start()
    from recipes.bookshop.models import Book, Review

    alice = sandbox.client("alice-token")

    print("The views only read; model signals keep their entries fresh:")
    sandbox.tell("alice, first request", alice, "GET", f"{BOOKS}1/")
    sandbox.tell("alice, second request", alice, "GET", f"{BOOKS}1/")

    print("\nQuerySet.update() sends no post_save; the recipe's QuerySet announces it:")
    Book.objects.filter(pk=1).update(title="Renamed in bulk")
    fresh = sandbox.tell("alice reads book 1", alice, "GET", f"{BOOKS}1/")
    print(f"  title served: {fresh.response.json()['title']!r}")

    print("\nA review written from anywhere moves the author's rating everywhere:")
    sandbox.tell("alice reads book 1", alice, "GET", f"{BOOKS}1/")
    Review.objects.bulk_create([Review(book_id=1, rating=5) for _ in range(10)])
    fresh = sandbox.tell("alice reads book 1", alice, "GET", f"{BOOKS}1/")
    print(
        f"  average rating served: {fresh.response.json()['author']['average_rating']}"
    )


if __name__ == "__main__":
    main()
