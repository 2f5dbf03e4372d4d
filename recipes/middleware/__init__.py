"""A response cache for ViewSets that cannot leak: keyed on what DRF resolved."""

SLUG = "middleware"
TITLE = "A response cache for ViewSets that cannot leak"
