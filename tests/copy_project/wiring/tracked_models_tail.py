"""The end of articles/models.py, with the tracked recipe's outbox: ``outbox.py`` beside it."""

# --8<-- [start:models]
from .outbox import PendingInvalidation  # noqa: F401  (so that makemigrations sees it)

# --8<-- [end:models]
