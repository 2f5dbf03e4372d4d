"""Memory pressure: what Redis evicts or refuses when full, and what the cache costs."""

SLUG = "memory"
TITLE = "When Redis is full"
#: What a reader copies into their app: the files (or folder) its page names.
COPY_UNIT = ("recipes/memory/redis_memory.py",)
DEPENDENCIES = {"redis": ("redis",)}
