"""Model fields shared by the departments."""

import re
import unicodedata
from collections.abc import Callable, Iterable

from django.core.exceptions import EmptyResultSet, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.lookups import In

from project.kernel.forms import NAME_LENGTH, NamesFormField
from project.kernel.names import site_languages

_CODE_SHAPE = re.compile(r"[A-Za-z]{2,3}")


def code_shaped(codes: Iterable[str]) -> list[str]:
    """Those of `codes` that could be some department's code (2 or 3 ASCII letters, white
    space around them aside), trimmed, each once, in order. Nothing else is looked up, in a
    query or in a URL: the same answer, "no such record", wherever a department is served."""
    shaped = (code.strip() for code in codes if isinstance(code, str))
    return list(dict.fromkeys(code for code in shaped if _CODE_SHAPE.fullmatch(code)))


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


@CodeField.register_lookup
class CodeIn(In):
    """`code__in` on PostgreSQL as `= ANY(%s)`, the codes bound as one array: the link check
    looks up a few hundred codes on every page, and a placeholder each cost more to compile,
    send and parse than the lookup itself. Elsewhere, and for a subquery, Django's IN."""

    def as_postgresql(self, compiler, connection):
        if not self.rhs_is_direct_value():
            return super().as_sql(compiler, connection)
        codes = list(dict.fromkeys(code for code in self.rhs if code is not None))
        if not codes:
            raise EmptyResultSet
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*lhs_params, codes)


def has_control_characters(value: str) -> bool:
    return any(unicodedata.category(char) == "Cc" for char in value)


def control_characters_replaced(value: str) -> str:
    """`value` fit to show: each control character as U+FFFD (the replacement character)."""
    return "".join("\ufffd" if unicodedata.category(char) == "Cc" else char for char in value)


def validate_no_control_characters(value: str) -> None:
    if has_control_characters(value):
        raise ValidationError("Control characters are not allowed.", code="control_characters")


# Explicit embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): they turn how a
# name is shown around, "txt.exe" as "exe.txt".
_BIDI_CONTROLS = {"LRE", "RLE", "PDF", "LRO", "RLO", "LRI", "RLI", "FSI", "PDI"}


def validate_displayable(value: str) -> None:
    """A name shows as what it is: no direction controls, and more than combining marks."""
    if any(unicodedata.bidirectional(char) in _BIDI_CONTROLS for char in value):
        raise ValidationError(
            "Text direction controls (such as U+202E) are not allowed.", code="bidi_controls"
        )
    if value and all(unicodedata.category(char).startswith("M") for char in value.strip()):
        raise ValidationError(
            "A name needs a letter, digit or sign, not only combining marks.", code="marks_only"
        )


class KeyField(models.TextField):
    """A key derived from a record, to find it by (`project.kernel.search`) or sort it by
    (`project.kernel.collation`): written by the department's services with every change of
    what it is derived from, never edited by hand."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)


class NameField(models.CharField):
    """A display name: 1-100 characters, trimmed, no control characters."""

    default_validators = [validate_no_control_characters, validate_displayable]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", NAME_LENGTH)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return value.strip() if isinstance(value, str) else value


class NamesField(models.JSONField):
    """A record's name in each language of the site that has one of its own: {"de":
    "Deutschland"}. Each name follows `NameField`'s rules; a blank one is no name, so that the
    language shows the main name (see `project.kernel.names`)."""

    _name_validators: list[Callable[[str], None]] = [
        MaxLengthValidator(NAME_LENGTH),
        validate_no_control_characters,
        validate_displayable,
    ]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", dict)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": NamesFormField, **kwargs})

    def to_python(self, value):
        if value is None:
            return {}
        if not isinstance(value, dict) or not all(
            isinstance(language, str) and isinstance(name, str) for language, name in value.items()
        ):
            raise ValidationError(
                'Enter the names as an object of language and name: {"de": "Deutschland"}.',
                code="invalid_names",
            )
        trimmed = {language.strip().lower(): name.strip() for language, name in value.items()}
        return {language: name for language, name in trimmed.items() if name}

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        languages = site_languages()
        errors: list[ValidationError | str] = []
        for language, name in value.items():
            if language not in languages:
                errors.append(
                    ValidationError(
                        f"Unknown language {language!r}: names are kept in {', '.join(languages)}.",
                        code="unknown_language",
                    )
                )
            for validator in self._name_validators:
                try:
                    validator(name)
                except ValidationError as error:
                    errors.extend(f"{language}: {message}" for message in error.messages)
        if errors:
            raise ValidationError(errors)


class SortKeysField(models.JSONField):
    """The collation key (see `KeyField`) of each of a record's names per language, as the lists
    sort by them in that language; written by the services with the names."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", dict)
        super().__init__(*args, **kwargs)
