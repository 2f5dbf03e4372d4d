"""A shared cache in front: Varnish (or Fastly, Cloudflare) keeps anonymous responses,
tagged with what each one read, and purges them once the writes that change it commit."""

SLUG = "cdn"
TITLE = "A shared cache in front, purged by what changed"
#: What a reader copies into their app: the files its page names (with the tracked
#: recipe's ``tracked_cache.py`` beside them, for the dependencies).
COPY_UNIT = ("recipes/cdn/shared_cache.py", "recipes/cdn/varnish.vcl")
