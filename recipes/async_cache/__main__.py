"""``python -m recipes.async_cache``: this recipe's notebook, told in a terminal."""

from recipes.story import tell_story

tell_story(__package__)
