from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from recipes.bookshop.models import Book
from recipes.bookshop.seed import SIZES, seed


class Command(BaseCommand):
    help = "Fill the bookshop with deterministic demo data (users alice and bob, demo only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=sorted(SIZES), default="small")

    def handle(self, *args: object, size: str, **options: object) -> None:
        try:  # a fresh database: say what to run, not a traceback
            Book.objects.exists()
        except DatabaseError as exc:
            raise CommandError(
                "The database has no bookshop tables yet: "
                "run `python -m recipes migrate` first."
            ) from exc
        counts = seed(size)
        self.stdout.write(
            f"Seeded {counts.authors} authors, {counts.books} books, {counts.reviews} reviews; "
            "users alice and bob (password: cookbook)."
        )
