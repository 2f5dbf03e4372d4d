"""articles/management/commands/relay_invalidations.py: the relay, from the copied module."""

# --8<-- [start:command]
from articles.outbox import RelayCommand as Command

__all__ = ["Command"]
# --8<-- [end:command]
