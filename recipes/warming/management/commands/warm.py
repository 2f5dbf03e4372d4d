"""``python -m recipes warm``: the warming recipe's command, in the demo project."""

from recipes.warming.cache_warming import Command

__all__ = ["Command"]
