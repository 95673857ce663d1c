"""Saving department rows so that the database constraint has the final word."""

import enum
from typing import Final, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, router, transaction


class Unchanged(enum.Enum):
    """The default of an update service's fields: "leave as it is". (None can then mean "clear",
    as it does for a country's links.)"""

    UNCHANGED = "unchanged"


UNCHANGED: Final = Unchanged.UNCHANGED

Row = TypeVar("Row", bound=models.Model)


def validate_and_save(
    instance: Row, *, unique_field: str = "code", update_fields: list[str] | None = None
) -> Row:
    """Validate one row and save it (only `update_fields`, if given, so that concurrent updates
    of other fields are not overwritten).

    Two requests may both pass the uniqueness check before either inserts; the loser's
    IntegrityError is reported like the check would have reported it, never as a 500.
    """
    instance.full_clean()
    model = type(instance)
    alias = router.db_for_write(model)
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
    return instance
