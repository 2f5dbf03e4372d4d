"""Conditional requests: ETag and Last-Modified from namespace versions, 304 and 412."""

SLUG = "conditional"
TITLE = "Conditional requests: ETag, Last-Modified, 304 and 412"
#: What a reader copies into their app: the files (or folder) its page names.
COPY_UNIT = (
    "recipes/versioned/__init__.py",
    "recipes/versioned/namespaces.py",
    "recipes/versioned/conditional.py",
)
