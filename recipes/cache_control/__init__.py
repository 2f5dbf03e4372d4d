"""Cache-Control for browsers and CDNs: declarative policies, never public for a user."""

SLUG = "cache-control"
TITLE = "Cache-Control for browsers and CDNs"
