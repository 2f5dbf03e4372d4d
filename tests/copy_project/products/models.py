from django.conf import settings
from django.db import models


class Label(models.Model):
    name = models.SlugField(unique=True)


class Maker(models.Model):
    name = models.CharField(max_length=100)


class Product(models.Model):
    name = models.CharField(max_length=200)
    maker = models.ForeignKey(Maker, null=True, blank=True, on_delete=models.SET_NULL)
    labels = models.ManyToManyField(Label, blank=True)
    saved_by = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="saved"
    )

    class Meta:
        ordering = ["name", "id"]
