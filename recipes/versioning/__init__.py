"""Namespace versioning: bump a number to invalidate a whole group of entries at once."""

SLUG = "versioning"
TITLE = "Namespace versioning"
