"""products/models.py, with the signals recipe's step: every model the API reads uses its
QuerySet (the page's ``models.py``, applied to this project's models)."""

from django.conf import settings
from django.db import models

from .versioned.signals import InvalidatingQuerySet


class Label(models.Model):
    name = models.SlugField(unique=True)

    objects = InvalidatingQuerySet.as_manager()


class Maker(models.Model):
    name = models.CharField(max_length=100)

    objects = InvalidatingQuerySet.as_manager()


class Product(models.Model):
    name = models.CharField(max_length=200)
    maker = models.ForeignKey(Maker, null=True, blank=True, on_delete=models.SET_NULL)
    labels = models.ManyToManyField(Label, blank=True)
    saved_by = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="saved"
    )

    objects = InvalidatingQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
