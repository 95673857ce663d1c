"""ISO 3166-1 countries from pycountry, named in the site's languages and linked to their main
currency and official language as CLDR (babel) knows them. Links are only set where the other
department has the code."""

import babel.languages
import babel.numbers
import pycountry
from django.db import router, transaction

from countries.models import Country
from countries.search import country_cldr_names
from countries.services import country_create, country_update
from currencies.public import get_currency_directory
from languages.public import get_language_directory
from project.kernel.persistence import UNCHANGED
from project.kernel.reference_data import LoadReport, ReferenceRecord, missing_names


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
            reference = ReferenceRecord(iso.name, country_cldr_names(iso.alpha_2))
            country = existing.get(iso.alpha_2)
            if country is None:
                country_create(code=iso.alpha_2, name=iso.name, names=reference.names, **links)
                report.created += 1
                continue
            # Fill links and names that are still empty; never overwrite what a department chose.
            missing = {f: v for f, v in links.items() if v and getattr(country, f) is None}
            names = missing_names(country, reference)
            if missing or names:
                country_update(country=country, names=names or UNCHANGED, **missing)
            report.linked += bool(missing)
            report.named += bool(names)
            report.unchanged += not (missing or names)
    return report
