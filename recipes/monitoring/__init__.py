"""Monitoring: hit and miss ratios per namespace, Redis commands and errors, Redis's INFO."""

SLUG = "monitoring"
TITLE = "Monitoring hit and miss ratios"
#: What a reader copies into their app: the files (or folder) its page names.
COPY_UNIT = ("recipes/monitoring/cache_metrics.py",)
DEPENDENCIES = {
    "prometheus-client": ("prometheus_client",),
    "redis": ("redis",),
    "Django": ("asgiref",),
}
