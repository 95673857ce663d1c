from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Upper

from currencies.public import CURRENCY_EVENTS
from project.kernel.fields import CodeField, KeyField, NameField, NamesField, SortKeysField
from project.kernel.outbox import DataVersion, OutboxEvent


class Currency(models.Model):
    code = CodeField(
        max_length=3,
        unique=True,
        validators=[RegexValidator(r"\A[A-Z]{3}\Z", "Enter exactly 3 letters (ISO 4217 code).")],
        error_messages={"unique": "A currency with this code already exists."},
        help_text="ISO 4217 code, 3 letters; stored in upper case.",
    )
    name = NameField(help_text="The main name, shown in a language without a name of its own.")
    names = NamesField(help_text="The name in each language of the site that has one of its own.")
    search_key = KeyField()
    name_sort_key = KeyField()  # the name in collation order, as the lists sort by it
    name_sort_keys = SortKeysField()  # the same of each name in `names`

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "currencies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code=Upper("code")), name="currency_code_upper_case"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class CurrencyDataVersion(DataVersion):
    """How many changes of currency records have been committed (see project/kernel/outbox.py)."""


class CurrencyOutbox(OutboxEvent):
    """Every change of a currency, to be published (see project/kernel/events.py)."""

    stream = CURRENCY_EVENTS
    records = Currency
    versions = CurrencyDataVersion

    class Meta(OutboxEvent.Meta):
        verbose_name = "currency event"
