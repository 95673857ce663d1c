"""ISO 3166-1 countries from pycountry, linked to their main currency and official language as
CLDR (babel) knows them. Links are only set where the other department has the code."""

import babel.languages
import babel.numbers
import pycountry
from django.db import router, transaction

from countries.models import Country
from countries.services import country_create, country_update
from currencies.public import get_currency_directory
from languages.public import get_language_directory
from project.kernel.reference_data import LoadReport


def _main_currency(territory: str, known: set[str]) -> str | None:
    current = babel.numbers.get_territory_currencies(territory, tender=True)
    return next((code for code in current if code in known), None)


def _official_language(territory: str, known: set[str]) -> str | None:
    # CLDR orders official languages by population; "zh_Hant" is the language "zh".
    official = babel.languages.get_official_languages(territory, de_facto=True)
    return next((tag.split("_")[0] for tag in official if tag.split("_")[0] in known), None)


def load_reference_data() -> LoadReport:
    # From the owners, like the links check: a replica may not have heard of every record yet.
    known_currencies = {c.code for c in get_currency_directory(live=True).list_all()}
    known_languages = {language.code for language in get_language_directory(live=True).list_all()}
    existing = {country.code: country for country in Country.objects.all()}
    report = LoadReport()
    with transaction.atomic(using=router.db_for_write(Country)):
        for iso in sorted(pycountry.countries, key=lambda c: c.alpha_2):
            links = {
                "currency_code": _main_currency(iso.alpha_2, known_currencies),
                "language_code": _official_language(iso.alpha_2, known_languages),
            }
            country = existing.get(iso.alpha_2)
            if country is None:
                country_create(code=iso.alpha_2, name=iso.name, **links)
                report.created += 1
                continue
            # Fill links that are still empty; never overwrite what a department chose.
            missing = {f: v for f, v in links.items() if v and getattr(country, f) is None}
            if missing:
                country_update(country=country, **missing)
                report.linked += 1
            else:
                report.unchanged += 1
    return report
