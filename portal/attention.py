"""The needs-attention page for department staff: countries that are not fully linked (a link not
set) or whose links are broken (the code is set, but its department does not have it), read
through the departments' public ports only.

One call to each port, whatever the number of countries: the country department's list first,
then the currencies and languages its countries link to, those two at the same time where they
go to other services. A department that cannot be asked makes the page show less, never fail.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from countries.public import Country, get_country_directory
from currencies.public import Currency, get_currency_directory
from languages.public import Language, get_language_directory
from portal.pages import BROKEN, NOT_LINKED, LinkStatus, Unavailable, countries_by_name, link_status

# The departments whose staff may see the page: a user with any permission in one of them
# (their groups hold them), or a superuser.
STAFF_DEPARTMENTS = ("countries", "currencies", "languages")


def may_see_attention(user: Any) -> bool:
    """Whether `user` is staff of a department (base.html's nav link asks the same of
    `perms`)."""
    return user.is_authenticated and any(
        user.has_module_perms(department) for department in STAFF_DEPARTMENTS
    )


@dataclass(frozen=True)
class AttentionRow:
    country: Country
    currency: LinkStatus
    language: LinkStatus


@dataclass(frozen=True)
class AttentionPage:
    rows: list[AttentionRow] | None  # None while the country department is unavailable
    country_count: int  # how many countries were checked
    unavailable: Unavailable

    @property
    def countries_available(self) -> bool:
        return self.rows is not None


def _needs_attention(row: AttentionRow) -> bool:
    return any(link.state in (NOT_LINKED, BROKEN) for link in (row.currency, row.language))


def attention_page() -> AttentionPage:
    """Every country with a link not set or broken, by name, with the state of both links."""
    unavailable = Unavailable()
    countries: list[Country] | None = unavailable.ask(
        {"countries": lambda: get_country_directory().list_all()}
    )["countries"]
    if countries is None:
        return AttentionPage(rows=None, country_count=0, unavailable=unavailable)

    currency_codes = {c.currency_code for c in countries if c.currency_code}
    language_codes = {c.language_code for c in countries if c.language_code}
    calls: dict[str, Callable[[], Mapping[str, Currency] | Mapping[str, Language]]] = {}
    if currency_codes:
        calls["currencies"] = lambda: get_currency_directory().get_many(currency_codes)
    if language_codes:
        calls["languages"] = lambda: get_language_directory().get_many(language_codes)
    records = unavailable.ask(calls)

    rows = [
        AttentionRow(
            country=country,
            currency=link_status(country.currency_code, records.get("currencies")),
            language=link_status(country.language_code, records.get("languages")),
        )
        for country in countries_by_name(countries)
    ]
    return AttentionPage(
        rows=[row for row in rows if _needs_attention(row)],
        country_count=len(countries),
        unavailable=unavailable,
    )
