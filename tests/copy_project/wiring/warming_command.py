"""articles/management/commands/warm_cache.py: the command, from the copied module."""

# --8<-- [start:command]
from articles.cache_warming import Command

__all__ = ["Command"]
# --8<-- [end:command]
