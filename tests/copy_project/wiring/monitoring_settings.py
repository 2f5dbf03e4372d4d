# Appended to the project's settings for the monitoring recipe.
# --8<-- [start:settings]
MIDDLEWARE += ["articles.cache_metrics.CacheMetricsMiddleware"]  # (1)!
CACHES["default"]["OPTIONS"]["CONNECTION_POOL_CLASS"] = (
    "articles.cache_metrics.CountingConnectionPool"  # (2)!
)
# --8<-- [end:settings]
