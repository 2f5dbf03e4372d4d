"""``cache_page`` on ViewSets, done right: whole responses cached per user, format and host."""

SLUG = "cache-page"
TITLE = "cache_page on ViewSets"
