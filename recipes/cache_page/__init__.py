"""``cache_page`` on ViewSets, done right: whole responses cached per user, format and host."""

SLUG = "cache-page"
TITLE = "cache_page on ViewSets"
#: What a reader copies into their app: the files (or folder) its page names.
COPY_UNIT = ("recipes/cache_page/cache_page_mixin.py",)
