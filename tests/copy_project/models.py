import uuid

from django.conf import settings
from django.db import models


class Tag(models.Model):
    name = models.SlugField(unique=True)


class Article(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(max_length=200)
    tags = models.ManyToManyField(Tag, blank=True)
    starred_by = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="starred"
    )

    class Meta:
        ordering = ["title"]
