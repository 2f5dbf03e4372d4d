"""The demo's settings, serving the benchmark's references beside the recipes."""

from recipes.settings import *  # noqa: F403
from recipes.settings import RESPONSE_CACHE

ROOT_URLCONF = "harness.bench_urls"
RESPONSE_CACHE = RESPONSE_CACHE | {
    "TIMEOUTS": {
        **RESPONSE_CACHE["TIMEOUTS"],
        "/bench/middleware-plain-token/": 60,
    }
}
