"""The version found in the wild: cache the token with ``set``, forget it with ``delete``.

Served only by the pitfall tests. Django's own ``cached_db`` session engine has the same
shape: ``load()`` stores with ``set`` and ``delete()`` deletes.
"""

from django.core.cache import cache
from django.db.models.signals import post_delete
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


# --8<-- [start:naive]
class NaiveCachedTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        token = cache.get(f"token:{key}")
        if token is None:
            _, token = super().authenticate_credentials(key)
            cache.set(f"token:{key}", token, 300)
        return token.user, token


def forget_deleted_token(sender, instance, **kwargs):
    cache.delete(f"token:{instance.key}")


post_delete.connect(forget_deleted_token, sender=Token)
# --8<-- [end:naive]
