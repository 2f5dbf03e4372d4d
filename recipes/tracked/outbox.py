# From the DRF caching cookbook 0.8.2 (its CHANGELOG.md says what changed since).
# Supports Django 5.2 LTS (5.2.19+) on Python 3.11+, and Django 6 on Python 3.12+.
"""The outbox of the tracked recipe: each write statement's marks, kept in the writer's own
transaction until every cache they are for has taken them.

A row is written beside the statement it describes, so it commits or rolls back with it.
Once the transaction's marks are delivered (Redis, a shared cache's purge), its rows are
deleted; a row still here was not delivered, and ``tracked_cache.relay()`` (the
``relay_invalidations`` command, and a retry in the writing process) sends it again.

Import the model from your app's ``models.py`` so that ``makemigrations`` sees it, and
give it to ``tracked_cache.install(..., outbox=PendingInvalidation)``.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models
from redis.exceptions import RedisError


# --8<-- [start:model]
class PendingInvalidation(models.Model):
    """One write statement's marks, not yet known to be delivered."""

    marks = models.JSONField()  # {table: [field, ...]}, as tracked_cache marks them
    written = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{sorted(self.marks)} written {self.written:%Y-%m-%d %H:%M:%S}"


# --8<-- [end:model]


# --8<-- [start:command]
class RelayCommand(BaseCommand):
    """``manage.py relay_invalidations``: send what the outbox still holds."""

    help = "Send the invalidations the outbox still holds to every cache."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--database",
            action="append",
            dest="databases",
            help="a database whose outbox to relay (repeatable; default: 'default')",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from .tracked_cache import relay  # the app's hooks, installed by its ready()

        try:
            delivered = relay(databases=options["databases"])
        except RedisError as error:  # still unreachable: exit non-zero, and try later
            raise CommandError(f"{error}; left in the outbox") from error
        self.stdout.write(f"Relayed {delivered} pending invalidations.")


# --8<-- [end:command]
