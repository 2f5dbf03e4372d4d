"""The demo's settings, caching on the topology ``SCALE_OUT_CACHE`` names (JSON): the name
of one of the recipe's ``CACHES`` functions, and its arguments. Without it (``migrate``,
``seed``), the demo's own cache."""

import json
import os

from recipes.scale_out import redis_topologies
from recipes.settings import *  # noqa: F403

if chosen := os.environ.get("SCALE_OUT_CACHE"):
    _function, _args = json.loads(chosen).values()
    CACHES = {"default": getattr(redis_topologies, _function)(*_args)}
