"""Model fields shared by the departments."""

import unicodedata

from django.core.exceptions import ValidationError
from django.db import models


class CodeField(models.CharField):
    """An ISO-style letter code, stored trimmed and in one letter case.

    Normalising in `to_python` covers every way in: forms, services and query lookups alike, so
    " fr ", "Fr" and "FR" are one code, and `filter(code="fr")` finds "FR".
    """

    def __init__(self, *args, lowercase: bool = False, **kwargs):
        self.lowercase = lowercase
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.lowercase:
            kwargs["lowercase"] = True
        return name, path, args, kwargs

    def to_python(self, value):
        value = super().to_python(value)
        if not isinstance(value, str):
            return value
        value = value.strip()
        if not value.isascii():
            # Left as typed for the validator to reject: "ß".upper() would become "SS".
            return value
        return value.lower() if self.lowercase else value.upper()


def validate_no_control_characters(value: str) -> None:
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise ValidationError("Control characters are not allowed.", code="control_characters")


class NameField(models.CharField):
    """A display name: 1-100 characters, trimmed, no control characters."""

    default_validators = [validate_no_control_characters]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 100)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return value.strip() if isinstance(value, str) else value
