"""Cache-Control for browsers and CDNs: declarative policies, never public for a user."""

SLUG = "cache-control"
TITLE = "Cache-Control for browsers and CDNs"
#: What a reader copies into their app: the files (or folder) its page names.
COPY_UNIT = ("recipes/cache_control/cache_headers.py",)
