from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from countries.local_port import linked_country_dto
from countries.models import Country
from countries.public import Link, LinkedCountry
from countries.selectors import country_get, country_list, linked_countries
from countries.services import country_create, country_link, country_update
from project.api import (
    PAGE_PARAMETERS,
    ListFilterSerializer,
    QueryBooleanField,
    QueryChoiceField,
    StandardPagination,
    StrictCharField,
    paginated,
    paginated_response,
)
from project.permissions import CompatibilityPermission
from project.records import RecordOperations
from project.v1 import RecordSerializer, document, raise_as_v1, record_urls


class CountryOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    currency_code = serializers.CharField(allow_null=True)
    language_code = serializers.CharField(allow_null=True)
    fully_linked = serializers.BooleanField()


def _with_fully_linked(row: dict) -> dict:
    """A country row as CountryOutputSerializer documents it."""
    row["fully_linked"] = Country.links_complete(row["currency_code"], row["language_code"])
    return row


def _link_field():
    return StrictCharField(required=False, allow_null=True, max_length=3)


class CountryListCreateApi(APIView):
    model = Country

    class FilterSerializer(ListFilterSerializer):
        fully_linked = QueryBooleanField(required=False, default=None)

    class CountryCreateInputSerializer(serializers.Serializer):
        code = StrictCharField()
        name = StrictCharField()
        currency_code = _link_field()
        language_code = _link_field()

    @extend_schema(
        operation_id="countries_list",
        parameters=[FilterSerializer, *PAGE_PARAMETERS],
        responses=paginated(CountryOutputSerializer, "PaginatedCountryList"),
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        countries = country_list(**filters.validated_data)
        rows = countries.values("code", "name", "currency_code", "language_code")
        return paginated_response(request, self, rows, _with_fully_linked)

    @extend_schema(
        operation_id="countries_create",
        request=CountryCreateInputSerializer,
        responses={201: CountryOutputSerializer},
    )
    def post(self, request):
        serializer = self.CountryCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        country = country_create(**serializer.validated_data)
        return Response(CountryOutputSerializer(country).data, status=status.HTTP_201_CREATED)


class CountryDetailApi(APIView):
    model = Country

    class CountryUpdateInputSerializer(serializers.Serializer):
        name = StrictCharField()
        currency_code = _link_field()
        language_code = _link_field()

    @extend_schema(operation_id="countries_retrieve", responses=CountryOutputSerializer)
    def get(self, request, code):
        return Response(CountryOutputSerializer(self._get(code)).data)

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
        return Response(CountryOutputSerializer(country).data)

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


class LinkedCountryOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    currency = LinkSerializer()
    language = LinkSerializer()


def _link_json(link: Link) -> dict:
    return {"code": link.code, "name": link.name}


def _linked_country_json(country: LinkedCountry) -> dict:
    """The shape LinkedCountryOutputSerializer documents, built directly: a page of nested DRF
    serializers costs more than the rest of the answer."""
    return {
        "code": country.code,
        "name": country.name,
        "currency": _link_json(country.currency),
        "language": _link_json(country.language),
    }


class LinkedCountryListApi(APIView):
    """Fully linked countries with their currency and language names.

    If the currencies or languages department cannot be reached the answer is still 200: its
    names are null and `unavailable` names the department."""

    model = Country

    class FilterSerializer(serializers.Serializer):
        search = serializers.CharField(required=False, allow_blank=True, max_length=100)
        ordering = QueryChoiceField(choices=["code", "name"], default="code")

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
        ),
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        linked = linked_countries(**filters.validated_data)
        paginator = StandardPagination(count=linked.count)
        page = paginator.paginate_queryset(linked.countries, request, view=self)
        response = paginator.get_paginated_response(
            [_linked_country_json(linked_country_dto(row, linked)) for row in page]
        )
        response.data["unavailable"] = linked.unavailable
        response.data["totals"] = {
            "countries": linked.total_countries,
            "fully_linked": linked.total_fully_linked,
        }
        return response


# The compatibility API (/api/v1/countries...) over the same selectors, services and ports.
v1_urls = record_urls(
    "countries",
    RecordOperations(
        model=Country,
        list_records=country_list,
        get_record=country_get,
        create_record=country_create,
        update_record=country_update,
    ),
)


class _ShortNameSerializer(serializers.Serializer):
    shortName = StrictCharField()
    name = StrictCharField(required=False)  # sent back by the original client; not used


class V1LinkInputSerializer(serializers.Serializer):
    country = _ShortNameSerializer()
    language = _ShortNameSerializer()
    currency = _ShortNameSerializer()


class V1LinkedCountrySerializer(serializers.Serializer):
    country = RecordSerializer()
    language = RecordSerializer()
    currency = RecordSerializer()


def _v1_linked(row, linked) -> dict:
    dto = linked_country_dto(row, linked)
    return {
        "country": {"code": dto.code, "name": dto.name},
        "language": {"code": dto.language.code, "name": dto.language.name},
        "currency": {"code": dto.currency.code, "name": dto.currency.name},
    }


@extend_schema_view(
    get=document(
        operation_id="v1_countries_with_languages_and_currencies_list",
        responses=V1LinkedCountrySerializer(many=True),
    ),
    post=document(
        operation_id="v1_countries_with_languages_and_currencies_create",
        request=V1LinkInputSerializer,
        responses={201: V1LinkedCountrySerializer},
    ),
)
class V1CountryLinksApi(APIView):
    """The fully linked countries; POST links an existing country to an existing language and
    currency, each named by its shortName."""

    permission_classes = [CompatibilityPermission]
    model = Country
    write_action = "change"

    def get(self, request):
        linked = linked_countries()
        items = [_v1_linked(row, linked) for row in linked.countries]
        return Response(V1LinkedCountrySerializer(items, many=True).data)

    def post(self, request):
        serializer = V1LinkInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            country = country_link(
                code=data["country"]["shortName"],
                currency_code=data["currency"]["shortName"],
                language_code=data["language"]["shortName"],
            )
        except DjangoValidationError as error:
            raise_as_v1(
                error,
                {
                    "code": ("country", "shortName"),
                    "currency_code": ("currency", "shortName"),
                    "language_code": ("language", "shortName"),
                },
            )
        linked = linked_countries(codes=[country.code])
        item = _v1_linked(linked.countries.get(), linked)
        return Response(V1LinkedCountrySerializer(item).data, status=status.HTTP_201_CREATED)
