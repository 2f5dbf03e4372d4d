"""``python -m recipes relay_invalidations``: the tracked recipe's relay, in the demo."""

from recipes.tracked.outbox import RelayCommand as Command

__all__ = ["Command"]
