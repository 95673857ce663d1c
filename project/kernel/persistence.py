"""Saving and deleting department rows: the database constraint has the final word, and the
change and its event (see `events`) commit together or not at all."""

import enum
from typing import Final, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, router, transaction

from project.kernel.outbox import OutboxEvent


class Unchanged(enum.Enum):
    """The default of an update service's fields: "leave as it is". (None can then mean "clear",
    as it does for a country's links.)"""

    UNCHANGED = "unchanged"


UNCHANGED: Final = Unchanged.UNCHANGED

Row = TypeVar("Row", bound=models.Model)


def validate_and_save(
    instance: Row,
    *,
    outbox: type[OutboxEvent],
    unique_field: str = "code",
    update_fields: list[str] | None = None,
) -> Row:
    """Validate one row, save it (only `update_fields`, if given, so that concurrent updates
    of other fields are not overwritten) and write its event to `outbox`, in one transaction.
    The row returned, like the event, holds its full state after the change.

    Two requests may both pass the uniqueness check before either inserts; the loser's
    IntegrityError is reported like the check would have reported it, never as a 500.
    """
    instance.full_clean()
    if update_fields == []:
        return instance  # nothing to change, nothing to tell
    model = type(instance)
    alias = router.db_for_write(model)
    created = instance._state.adding
    with transaction.atomic(using=alias):
        try:
            with transaction.atomic(using=alias):
                instance.save(using=alias, update_fields=update_fields)
        except IntegrityError:
            value = getattr(instance, unique_field)
            if not model._default_manager.using(alias).filter(**{unique_field: value}).exists():
                raise
            field = model._meta.get_field(unique_field)
            assert isinstance(field, models.Field)  # a column of the row, not a relation
            message = field.error_messages["unique"]
            raise ValidationError({unique_field: [message]}, code="unique") from None
        if update_fields is not None:
            # The other fields as committed before this change: the row is locked since the
            # UPDATE, so they stay so until the event is written.
            others = [f for f in outbox.stream.state_fields if f not in update_fields]
            instance.refresh_from_db(using=alias, fields=others)
        outbox.record("created" if created else "updated", instance, using=alias)
    return instance


def delete_and_record(instance: models.Model, *, outbox: type[OutboxEvent]) -> None:
    """Delete one row and write its `deleted` event to `outbox`, in one transaction. A row
    that is gone already (deleted meanwhile, perhaps created anew under its code) tells
    nothing: a `deleted` event would hide the new record from every replica."""
    alias = router.db_for_write(type(instance))
    with transaction.atomic(using=alias):
        deleted, _ = instance.delete(using=alias)
        if deleted:
            outbox.record("deleted", instance, using=alias)
