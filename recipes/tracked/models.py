"""The tracked recipe's one model: the outbox of marks not yet delivered."""

from .outbox import PendingInvalidation

__all__ = ["PendingInvalidation"]
