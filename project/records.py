"""The REST API of a department whose records are a code and a name (currencies, languages),
built over that department's own selectors and services."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from project.api import (
    PAGE_PARAMETERS,
    ListFilterSerializer,
    StrictCharField,
    paginated,
    paginated_response,
)


@dataclass(frozen=True)
class RecordOperations:
    """A department's own reads and writes of its records."""

    model: type[models.Model]
    list_records: Callable  # (*, search=None, codes=None) -> QuerySet, ordered by code
    get_record: Callable  # (*, code) -> record or None
    create_record: Callable  # (*, code, name) -> record
    update_record: Callable  # (*, <model name>=record, name=None) -> record


class RecordOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class RecordCreateSerializer(serializers.Serializer):
    code = StrictCharField()
    name = StrictCharField()


class RecordUpdateSerializer(serializers.Serializer):
    name = StrictCharField()


class RecordListCreateApi(APIView):
    operations: RecordOperations
    output_serializer: type[serializers.Serializer]

    def get(self, request):
        filters = ListFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        records = self.operations.list_records(**filters.validated_data)
        return paginated_response(request, self, records.values("code", "name"))

    def post(self, request):
        serializer = RecordCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = self.operations.create_record(**serializer.validated_data)
        return Response(self.output_serializer(record).data, status=status.HTTP_201_CREATED)


class RecordDetailApi(APIView):
    operations: RecordOperations
    output_serializer: type[serializers.Serializer]

    def get(self, request, code):
        return Response(self.output_serializer(self._get(code)).data)

    def patch(self, request, code):
        record = self._get(code)
        serializer = RecordUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        record = self.operations.update_record(
            **{self.operations.model._meta.model_name: record}, **serializer.validated_data
        )
        return Response(self.output_serializer(record).data)

    def _get(self, code: str):
        record = self.operations.get_record(code=code)
        if record is None:
            raise Http404(f"No {self.operations.model._meta.verbose_name} with code {code!r}.")
        return record


def record_api_urls(plural: str, operations: RecordOperations) -> list:
    """`api/<plural>/` (list, create) and `api/<plural>/<code>/` (read, rename), documented
    under the department's own names ("Currency", "currencies_list", ...)."""
    name = operations.model.__name__

    def view(base, schema, **attributes):
        attributes = {"operations": operations, "model": operations.model, **attributes}
        return schema(type(f"{name}{base.__name__.removeprefix('Record')}", (base,), attributes))

    output = type(f"{name}Serializer", (RecordOutputSerializer,), {})
    list_create = view(
        RecordListCreateApi,
        extend_schema_view(
            get=extend_schema(
                operation_id=f"{plural}_list",
                parameters=[ListFilterSerializer, *PAGE_PARAMETERS],
                responses=paginated(output, f"Paginated{name}List"),
            ),
            post=extend_schema(
                operation_id=f"{plural}_create",
                request=type(f"{name}CreateSerializer", (RecordCreateSerializer,), {}),
                responses={201: output},
            ),
        ),
        output_serializer=output,
    )
    detail = view(
        RecordDetailApi,
        extend_schema_view(
            get=extend_schema(operation_id=f"{plural}_retrieve", responses=output),
            patch=extend_schema(
                operation_id=f"{plural}_update",
                request=type(f"{name}UpdateSerializer", (RecordUpdateSerializer,), {}),
                responses=output,
            ),
        ),
        output_serializer=output,
    )
    singular = operations.model._meta.model_name
    return [
        path(f"api/{plural}/", list_create.as_view(), name=f"{singular}-list"),
        path(f"api/{plural}/<str:code>/", detail.as_view(), name=f"{singular}-detail"),
    ]
