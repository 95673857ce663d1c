from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower

from languages.public import LANGUAGE_EVENTS
from project.kernel.fields import CodeField, KeyField, NameField, NamesField, SortKeysField
from project.kernel.outbox import DataVersion, OutboxEvent


class Language(models.Model):
    code = CodeField(
        max_length=3,
        lowercase=True,
        unique=True,
        validators=[RegexValidator(r"\A[a-z]{2,3}\Z", "Enter 2 or 3 letters (ISO 639 code).")],
        error_messages={"unique": "A language with this code already exists."},
        help_text="ISO 639 code, 2 or 3 letters; stored in lower case.",
    )
    name = NameField(help_text="The main name, shown in a language without a name of its own.")
    names = NamesField(help_text="The name in each language of the site that has one of its own.")
    search_key = KeyField()
    name_sort_key = KeyField()  # the name in collation order, as the lists sort by it
    name_sort_keys = SortKeysField()  # the same of each name in `names`

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code=Lower("code")), name="language_code_lower_case"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class LanguageDataVersion(DataVersion):
    """How many changes of language records have been committed (see project/kernel/outbox.py)."""


class LanguageOutbox(OutboxEvent):
    """Every change of a language, to be published (see project/kernel/events.py)."""

    stream = LANGUAGE_EVENTS
    records = Language
    versions = LanguageDataVersion

    class Meta(OutboxEvent.Meta):
        verbose_name = "language event"
