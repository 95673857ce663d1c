from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Upper

from countries.public import COUNTRY_EVENTS
from project.kernel.fields import CodeField, KeyField, NameField, NamesField, SortKeysField
from project.kernel.names import site_languages
from project.kernel.outbox import DataVersion, OutboxEvent
from project.kernel.queries import sort_key_in


class Country(models.Model):
    code = CodeField(
        max_length=3,
        unique=True,
        validators=[RegexValidator(r"\A[A-Z]{2,3}\Z", "Enter 2 or 3 letters (ISO 3166-1 code).")],
        error_messages={"unique": "A country with this code already exists."},
        help_text="ISO 3166-1 code, 2 or 3 letters; stored in upper case.",
    )
    name = NameField(help_text="The main name, shown in a language without a name of its own.")
    names = NamesField(help_text="The name in each language of the site that has one of its own.")
    search_key = KeyField()
    name_sort_key = KeyField()  # the name in collation order, as the lists sort by it
    name_sort_keys = SortKeysField()  # the same of each name in `names`
    # Links to other departments are codes, never foreign keys: those rows live elsewhere.
    currency_code = CodeField(max_length=3, null=True, blank=True)
    language_code = CodeField(max_length=3, lowercase=True, null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "countries"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code=Upper("code")), name="country_code_upper_case"
            ),
        ]
        indexes = [
            # The portal lists linked countries by name, a page at a time, in the reader's
            # language: an index per language of the site (a language added to LANGUAGES needs
            # a migration for its own), and the main name's for the API's default.
            models.Index(fields=["name_sort_key"], name="country_name_sort_idx"),
            *(
                models.Index(sort_key_in(language), name=f"country_name_{language}_idx")
                for language in site_languages()
            ),
            # Linked countries read the distinct currency and language codes of the fully linked
            # countries, and count them: each from an index alone (both link columns in each).
            models.Index(fields=["currency_code", "language_code"], name="country_currency_idx"),
            models.Index(fields=["language_code", "currency_code"], name="country_language_idx"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @staticmethod
    def links_complete(currency_code: str | None, language_code: str | None) -> bool:
        """Both links set: what `fully_linked` asks first, before the links are checked."""
        return bool(currency_code and language_code)


class CountryDataVersion(DataVersion):
    """How many changes of country records have been committed (see project/kernel/outbox.py)."""


class CountryOutbox(OutboxEvent):
    """Every change of a country, to be published (see project/kernel/events.py)."""

    stream = COUNTRY_EVENTS
    records = Country
    versions = CountryDataVersion

    class Meta(OutboxEvent.Meta):
        verbose_name = "country event"
