"""Saving department rows so that the database constraint has the final word."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, router, transaction


def validate_and_save(
    instance: models.Model, *, unique_field: str = "code", update_fields: list[str] | None = None
) -> models.Model:
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
        message = model._meta.get_field(unique_field).error_messages["unique"]
        raise ValidationError({unique_field: [message]}, code="unique") from None
    return instance
