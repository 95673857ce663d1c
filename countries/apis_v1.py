"""The country department's compatibility API (/api/v1/countries...): its records, and the
fully linked countries with the link write, over the same selectors, services and ports."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_view
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from countries.adapters import linked_country_dto
from countries.apis import OPERATIONS
from countries.models import Country
from countries.selectors import linked_countries
from countries.services import country_link
from project.kernel.permissions import CompatibilityPermission
from project.kernel.rest import StrictCharField
from project.kernel.v1 import (
    RecordSerializer,
    V1RecordDetailApi,
    V1RecordListCreateApi,
    document,
    raise_as_v1,
)


class V1CountryListCreateApi(V1RecordListCreateApi):
    operations = OPERATIONS


class V1CountryDetailApi(V1RecordDetailApi):
    operations = OPERATIONS


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
