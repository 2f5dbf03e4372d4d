"""The demo's settings, with responses a test can hold (``held.py``)."""

from recipes.settings import *  # noqa: F403
from recipes.settings import MIDDLEWARE

MIDDLEWARE = ["recipes.cdn.tests.held.HoldAfterRender", *MIDDLEWARE]
