"""Signal invalidation: model events, bulk writes included, bump namespaces after commit."""

SLUG = "signals"
TITLE = "Invalidation from model signals"
RECIPE_DEPENDENCIES = ("recipes.versioning.caching",)
