"""The in-process adapter of the country port: selectors, mapped to the port's DTOs."""

from django.core.paginator import EmptyPage, PageNotAnInteger

from countries.public import Country, Link, LinkedCountry, LinkedCountryPage
from countries.selectors import LinkedCountries, country_list, linked_countries
from project.paginator import ThriftyPaginator
from project.ports import LocalDirectory, database_errors_as_unavailable


def _link(code: str, records: dict) -> Link:
    record = records.get(code)
    return Link(code=code, name=record.name if record else None)


def linked_country_dto(row, linked: LinkedCountries) -> LinkedCountry:
    return LinkedCountry(
        code=row.code,
        name=row.name,
        currency=_link(row.currency_code, linked.currencies),
        language=_link(row.language_code, linked.languages),
    )


class LocalCountryDirectory(LocalDirectory[Country]):
    def __init__(self):
        super().__init__("countries", country_list, Country)

    def linked_page(self, *, search="", page=1, page_size=50, ordering="code"):
        with database_errors_as_unavailable("countries"):
            return self._linked_page(search, page, page_size, ordering)

    def _linked_page(self, search, page, page_size, ordering):
        linked = linked_countries(search=search, ordering=ordering)
        paginator = ThriftyPaginator(linked.countries, page_size, count=linked.count)
        try:
            rows = list(paginator.page(page).object_list)
        except (EmptyPage, PageNotAnInteger):
            rows = []
        return LinkedCountryPage(
            results=[linked_country_dto(row, linked) for row in rows],
            count=paginator.count,
            page=page,
            page_size=page_size,
            unavailable=linked.unavailable,
            total_countries=linked.total_countries,
            total_fully_linked=linked.total_fully_linked,
        )
