from django.core.management.base import BaseCommand, CommandParser

from recipes.bookshop.seed import SIZES, seed


class Command(BaseCommand):
    help = "Fill the bookshop with deterministic demo data (users alice and bob, demo only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=sorted(SIZES), default="small")

    def handle(self, *args: object, size: str, **options: object) -> None:
        counts = seed(size)
        self.stdout.write(
            f"Seeded {counts.authors} authors, {counts.books} books, {counts.reviews} reviews; "
            "users alice and bob (password: cookbook)."
        )
