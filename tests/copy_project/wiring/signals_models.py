"""articles/models.py, with the signals recipe: every model the API reads uses its
QuerySet, so that ``update()``, ``bulk_create()`` and ``bulk_update()`` are seen too."""

# --8<-- [start:models]
import uuid

from django.conf import settings
from django.db import models

from .versioned.signals import InvalidatingQuerySet


class Tag(models.Model):
    name = models.SlugField(unique=True)

    objects = InvalidatingQuerySet.as_manager()  # (1)!


class Article(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(max_length=200)
    tags = models.ManyToManyField(Tag, blank=True)
    starred_by = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="starred"
    )

    objects = InvalidatingQuerySet.as_manager()

    class Meta:
        ordering = ["title"]


# --8<-- [end:models]
