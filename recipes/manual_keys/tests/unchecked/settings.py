"""The demo's settings, plus the unchecked manual-keys pitfall."""

from recipes.settings import *  # noqa: F403
from recipes.settings import COOKBOOK_RECIPES

COOKBOOK_RECIPES = [*COOKBOOK_RECIPES, "recipes.manual_keys.tests.unchecked"]
