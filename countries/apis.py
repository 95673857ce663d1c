from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from countries.adapters import linked_country_dto
from countries.models import Country
from countries.public import LINKED_ORDERINGS, Link, LinkedCountry
from countries.selectors import (
    COUNTRY_FIELDS,
    LinkCheck,
    check_all_links,
    check_links_of,
    country_get,
    country_list,
    linked_countries,
)
from countries.services import country_create, country_update
from project.kernel.conditional import conditional_read
from project.kernel.records import ChangeSerializer, RecordOperations
from project.kernel.rest import (
    PAGE_PARAMETERS,
    ListFilterSerializer,
    QueryBooleanField,
    QueryChoiceField,
    SearchField,
    StandardPagination,
    StrictCharField,
    code_input,
    language_parameter,
    name_input,
    names_input,
    names_output,
    ordering_choices,
    paginated,
    paginated_response,
)


class CountryOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    names = names_output()
    currency_code = serializers.CharField(allow_null=True)
    language_code = serializers.CharField(allow_null=True)
    fully_linked = serializers.BooleanField(
        help_text="Both links set, and neither to a currency or language that no longer exists. "
        "While currencies or languages cannot be asked, their links count as they are set."
    )


def _with_fully_linked(rows: list[dict], links: LinkCheck | None = None) -> list[dict]:
    """Country rows as CountryOutputSerializer documents them: their links checked with the
    currency and language departments, one batched call each (unless `links` has them)."""
    if links is None:
        links = check_links_of((row["currency_code"], row["language_code"]) for row in rows)
    for row in rows:
        row["fully_linked"] = links.fully_linked(row["currency_code"], row["language_code"])
    return rows


def _country_json(country: Country) -> dict:
    row = {field: getattr(country, field) for field in COUNTRY_FIELDS}
    return _with_fully_linked([row])[0]


def _link_field():
    return StrictCharField(required=False, allow_null=True, max_length=3)


# The country department's own reads and writes, as the compatibility API uses them.
OPERATIONS = RecordOperations(
    model=Country,
    list_records=country_list,
    get_record=country_get,
    create_record=country_create,
    update_record=country_update,
)


class CountryListCreateApi(APIView):
    """GET a page of countries (search, codes, fully_linked); POST a new one."""

    model = Country
    name = "Country list"

    class FilterSerializer(ListFilterSerializer):
        ordering = QueryChoiceField(
            choices=ordering_choices("code", "name", "currency_code", "language_code"),
            default="code",
            help_text="Sort by this field; a leading '-' reverses it. Ties are sorted by code.",
        )
        fully_linked = QueryBooleanField(required=False, default=None)
        currency_code = StrictCharField(
            required=False,
            allow_blank=True,
            max_length=3,
            help_text="Only the countries linked to this currency (blank: any).",
        )
        language_code = StrictCharField(
            required=False,
            allow_blank=True,
            max_length=3,
            help_text="Only the countries linked to this language (blank: any).",
        )

        def validate_currency_code(self, value: str) -> str | None:
            return value or None  # blank: no filter, as for `search`

        validate_language_code = validate_currency_code

    class CountryCreateInputSerializer(serializers.Serializer):
        code = code_input(Country)
        name = name_input(Country)
        names = names_input()
        currency_code = _link_field()
        language_code = _link_field()

    @extend_schema(
        operation_id="countries_list",
        parameters=[FilterSerializer, *PAGE_PARAMETERS],
        responses=paginated(CountryOutputSerializer, "PaginatedCountryList"),
    )
    @conditional_read
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        # Filtered by fully_linked: the rows say what the filter saw, from one check.
        links = None if filters.validated_data["fully_linked"] is None else check_all_links()
        countries = country_list(**filters.validated_data, links=links)
        rows = countries.values(*COUNTRY_FIELDS)
        return paginated_response(request, self, rows, lambda page: _with_fully_linked(page, links))

    @extend_schema(
        operation_id="countries_create",
        request=CountryCreateInputSerializer,
        responses={201: CountryOutputSerializer},
    )
    def post(self, request):
        serializer = self.CountryCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        country = country_create(**serializer.validated_data)
        return Response(_country_json(country), status=status.HTTP_201_CREATED)


class CountryDetailApi(APIView):
    """GET one country by code; PATCH its name and links."""

    model = Country
    name = "Country"

    class CountryUpdateInputSerializer(ChangeSerializer):
        name = name_input(Country)
        names = names_input()
        currency_code = _link_field()
        language_code = _link_field()

    @extend_schema(operation_id="countries_retrieve", responses=CountryOutputSerializer)
    @conditional_read
    def get(self, request, code):
        return Response(_country_json(self._get(code)))

    @extend_schema(
        operation_id="countries_update",
        request=CountryUpdateInputSerializer,
        responses=CountryOutputSerializer,
    )
    def patch(self, request, code):
        country = self._get(code)
        serializer = self.CountryUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        country = country_update(country=country, **serializer.validated_data)
        return Response(_country_json(country))

    def _get(self, code: str) -> Country:
        country = country_get(code=code)
        if country is None:
            raise Http404(f"No country with code {code!r}.")
        return country


class LinkSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(
        allow_null=True, help_text="Null while its department is unavailable."
    )
    names = names_output()


class LinkedCountryOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    names = names_output()
    currency = LinkSerializer()
    language = LinkSerializer()


def _link_json(link: Link) -> dict:
    return {"code": link.code, "name": link.name, "names": link.names}


def _linked_country_json(country: LinkedCountry) -> dict:
    """The shape LinkedCountryOutputSerializer documents, built directly: a page of nested DRF
    serializers costs more than the rest of the answer."""
    return {
        "code": country.code,
        "name": country.name,
        "names": country.names,
        "currency": _link_json(country.currency),
        "language": _link_json(country.language),
    }


class LinkedCountryListApi(APIView):
    """Fully linked countries with their currency and language names.

    If the currencies or languages department cannot be reached the answer is still 200: its
    names are null and `unavailable` names the department."""

    model = Country
    name = "Linked country list"

    class FilterSerializer(serializers.Serializer):
        search = SearchField(required=False, allow_blank=True, max_length=100)
        ordering = QueryChoiceField(
            choices=LINKED_ORDERINGS,
            default="code",
            help_text="Sort by this field; a leading '-' reverses it. Ties are sorted by code. "
            "A link sorts by its code (the names belong to other departments).",
        )
        language = language_parameter()
        not_linked = serializers.IntegerField(
            required=False,
            default=0,
            min_value=0,
            max_value=StandardPagination.max_page_size,
            help_text="With a search: also the first this many countries it finds that are not "
            "fully linked, in `not_fully_linked` (the best match first, then by name).",
        )

    @extend_schema(
        operation_id="linked_countries_list",
        parameters=[FilterSerializer, *PAGE_PARAMETERS],
        responses=paginated(
            LinkedCountryOutputSerializer,
            "PaginatedLinkedCountryList",
            unavailable=serializers.ListField(
                child=serializers.CharField(), help_text="Departments that could not be reached."
            ),
            totals=inline_serializer(
                "LinkedCountryTotals",
                {
                    "countries": serializers.IntegerField(),
                    "fully_linked": serializers.IntegerField(),
                },
            ),
            not_fully_linked=inline_serializer(
                "NotFullyLinkedCountries",
                {
                    "results": CountryOutputSerializer(many=True),
                    "count": serializers.IntegerField(help_text="Every one the search finds."),
                },
                required=False,
                help_text="With a search and `not_linked`: its matches not fully linked.",
            ),
        ),
    )
    @conditional_read
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        not_linked = filters.validated_data.pop("not_linked")
        linked = linked_countries(**filters.validated_data)
        paginator = StandardPagination(count=linked.count)
        summary: dict[str, Any] = {
            "unavailable": linked.unavailable,
            "totals": {
                "countries": linked.total_countries,
                "fully_linked": linked.total_fully_linked,
            },
        }
        search, language = (filters.validated_data.get(key) for key in ("search", "language"))
        if search and not_linked:
            matches = linked.not_fully_linked(search=search, language=language)
            rows = list(matches[:not_linked].values(*COUNTRY_FIELDS))
            summary["not_fully_linked"] = {
                "results": _with_fully_linked(rows, linked.links),
                "count": matches.count(),
            }
        try:
            page = paginator.paginate_queryset(linked.countries, request, view=self) or []
        except NotFound as error:
            # A page past the end: still the counts, so a caller needs no second request (the
            # paginator has counted them already, to find the page out of range).
            assert paginator.pages is not None
            body = {"detail": error.detail, "count": paginator.pages.count, **summary}
            return Response(body, status=status.HTTP_404_NOT_FOUND)
        response = paginator.get_paginated_response(
            [_linked_country_json(linked_country_dto(row, linked)) for row in page]
        )
        response.data.update(summary)
        return response
