"""articles/apps.py, with the cdn recipe: purges sent once writes commit."""

# --8<-- [start:apps]
from django.apps import AppConfig
from django.conf import settings


class ArticlesConfig(AppConfig):
    name = "articles"

    def ready(self) -> None:
        from .outbox import PendingInvalidation
        from .shared_cache import XKEY, Purger, varnish_purge
        from .tracked_cache import install

        self.purger = Purger(varnish_purge(settings.SHARED_CACHE_PURGE_URL), XKEY)
        install(self.purger, outbox=PendingInvalidation)  # (1)!


# --8<-- [end:apps]
