"""Conditional requests: ETag and Last-Modified from namespace versions, 304 and 412."""

SLUG = "conditional"
TITLE = "Conditional requests: ETag, Last-Modified, 304 and 412"
RECIPE_DEPENDENCIES = ("recipes.versioning.caching",)
