"""Cache warming: shared pages requested once after a deploy or a flush; refresh on write."""

SLUG = "warming"
TITLE = "Warming the cache"
#: What a reader copies into their app: the files (or folder) its page names.
COPY_UNIT = ("recipes/warming/cache_warming.py",)
DEPENDENCIES = {"rich": ("rich",)}  # the progress bar and the report
