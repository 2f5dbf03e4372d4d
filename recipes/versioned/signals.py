# From the DRF caching cookbook 0.8.2 (its CHANGELOG.md says what changed since).
# Supports Django 5.2 LTS (5.2.19+) on Python 3.11+, and Django 6 on Python 3.12+.
"""Invalidate cached responses from model events, once the transaction commits.

How the invalidation works:

* Entries are keyed on namespace versions, as in the versioning recipe (``namespaces.py``,
  beside this module). The views only read; they never invalidate.
* ``ModelInvalidator.watch(Model, namespaces_for)`` connects ``post_save`` and
  ``post_delete``: each saved or deleted row names the namespaces it belongs to.
  ``QuerySet.delete()`` is covered too: with a receiver connected, Django deletes row by
  row and sends ``post_delete`` for each.
* ``watch_m2m(through, namespaces_for)`` connects ``m2m_changed``, for ``add``, ``remove``,
  ``set`` and ``clear`` from either side of the relation.
* ``watch_serializer(Serializer, names)`` watches every model a serializer's declared fields
  read (``models_read_by``): nested serializers at any depth, related fields, and the
  through tables of many-to-many fields. What a ``SerializerMethodField`` queries is code,
  not a declaration: watch those models by hand.
* ``QuerySet.update()``, ``bulk_create()`` and ``bulk_update()`` send no signal at all. Models
  whose manager is ``InvalidatingQuerySet.as_manager()`` send ``rows_changed`` for them,
  with the rows touched (for ``update()``, before and after: one extra query each).
* Namespaces are bumped in ``transaction.on_commit``: not before the write is visible to
  other connections (a concurrent reader cannot store pre-commit data under the new
  version), and not at all if the transaction rolls back. One bump per namespace per
  event batch.
* Writes that bypass the ORM (raw SQL, another service) are not seen.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal
from rest_framework import serializers

from .namespaces import Namespaces

#: Sent by ``InvalidatingQuerySet`` with ``rows``: the instances a bulk write touched.
rows_changed = Signal()

NamespacesFor = Callable[[Any], Iterable[str]]


# --8<-- [start:queryset]
class InvalidatingQuerySet(models.QuerySet):
    """A QuerySet whose bulk writes announce the rows they touched (``rows_changed``)."""

    def update(self, **kwargs: Any) -> int:
        before = list(self)  # (1)!
        count = super().update(**kwargs)
        after = list(self.model._base_manager.filter(pk__in=[row.pk for row in before]))
        rows_changed.send(sender=self.model, rows=before + after)
        return count

    def bulk_create(
        self, objs: Iterable[models.Model], *args: Any, **kwargs: Any
    ) -> list:
        created = super().bulk_create(objs, *args, **kwargs)
        rows_changed.send(sender=self.model, rows=created)
        return created

    def bulk_update(
        self, objs: Iterable[models.Model], *args: Any, **kwargs: Any
    ) -> int:
        objs = list(objs)
        count = super().bulk_update(objs, *args, **kwargs)
        rows_changed.send(sender=self.model, rows=objs)
        return count


# --8<-- [end:queryset]


# --8<-- [start:invalidator]
# --8<-- [start:core]
class ModelInvalidator:
    """Bump the namespaces of every row a write touches, once its transaction commits."""

    def __init__(self, namespaces: Namespaces) -> None:
        self.namespaces = namespaces

    def watch(self, model: type[models.Model], namespaces_for: NamespacesFor) -> None:
        """Invalidate on every save, delete and bulk write of ``model``'s rows."""

        def one_row(sender: type, instance: models.Model, **kwargs: Any) -> None:
            self.bump_after_commit(namespaces_for(instance))

        def many_rows(sender: type, rows: list[models.Model], **kwargs: Any) -> None:
            self.bump_after_commit(name for row in rows for name in namespaces_for(row))

        for signal, receiver in (
            (post_save, one_row),
            (post_delete, one_row),
            (rows_changed, many_rows),
        ):
            signal.connect(
                receiver,
                sender=model,
                weak=False,
                dispatch_uid=(id(self), model, id(namespaces_for)),
            )

    # --8<-- [end:core]

    def watch_m2m(
        self,
        through: type[models.Model],
        namespaces_for: Callable[[Any, Any], Iterable[str]],
    ) -> None:
        """Invalidate on ``add``/``remove``/``set``/``clear`` of a many-to-many relation.

        ``namespaces_for(instance, related_pks)`` is called with the side the change was made
        from and the primary keys on the other side (all of them for ``clear``).
        """

        def changed(
            sender: type, instance: models.Model, action: str, **kwargs: Any
        ) -> None:
            if action == "pre_clear":  # afterwards there is nothing left to name
                related = self._related_pks(sender, instance, kwargs["model"])
                self.bump_after_commit(namespaces_for(instance, related))
            elif action in ("post_add", "post_remove"):
                self.bump_after_commit(namespaces_for(instance, kwargs["pk_set"]))

        m2m_changed.connect(
            changed,
            sender=through,
            weak=False,
            dispatch_uid=(id(self), through, id(namespaces_for)),
        )

    def watch_serializer(
        self, serializer: type[serializers.ModelSerializer], names: Iterable[str]
    ) -> None:
        """Bump ``names`` on any write to a model or many-to-many ``serializer`` reads."""
        names = frozenset(names)
        for model in models_read_by(serializer):  # a through table is written both ways
            self.watch(model, lambda row: names)
            self.watch_m2m(model, lambda instance, related_pks: names)

    def bump_after_commit(self, names: Iterable[str]) -> None:
        """Bump ``names`` when the transaction commits; at once outside a transaction."""
        self.namespaces.bump_on_commit(set(names))  # (1)!

    @staticmethod
    def _related_pks(
        through: type[models.Model], instance: models.Model, other: type[models.Model]
    ) -> list:
        """Return the primary keys ``instance`` is linked to through ``through``."""
        fields = [f for f in through._meta.get_fields() if f.many_to_one]
        source = next(f for f in fields if isinstance(instance, f.related_model))
        target = next(f for f in fields if f.related_model is other)
        links = through._base_manager.filter(**{source.name: instance})
        return list(links.values_list(target.attname, flat=True))


# --8<-- [end:invalidator]


# --8<-- [start:models_read_by]
def models_read_by(
    serializer: type[serializers.ModelSerializer],
) -> set[type]:
    """Return the models, and many-to-many through tables, that
    ``serializer``'s declared fields read, following each field's ``source``
    and nested serializers to any depth."""
    read: set[type] = set()
    _read_by(serializer(), serializer.Meta.model, read)
    return read


def _read_by(
    serializer: serializers.Serializer,
    model: type,
    read: set[type],
) -> None:
    read.add(model)
    for field in serializer.fields.values():
        reached = _follow(model, field.source_attrs, read)
        nested = getattr(field, "child", field)  # a ListSerializer's rows
        serializes = isinstance(nested, serializers.Serializer)
        if reached is not None and serializes:
            _read_by(nested, reached, read)


def _follow(model: type, path: list[str], read: set[type]) -> type | None:
    """Walk ``path`` (a field's ``source``) from ``model``, adding each
    relation crossed; return the model reached, or ``None`` past an
    attribute that is not a model field."""
    for name in path:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return None  # a property or method: what it reads is code
        if not field.is_relation:
            return None
        if field.many_to_many:
            forward = getattr(field.remote_field, "through", None)
            read.add(forward or field.through)
        model = field.related_model
        read.add(model)
    return model


# --8<-- [end:models_read_by]
