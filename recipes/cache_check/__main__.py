"""``python -m recipes.cache_check``: this recipe's notebook, told in a terminal."""

from recipes.story import tell_story

tell_story(__package__)
