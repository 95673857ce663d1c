"""The REST API of a department whose records are a code and a name (currencies, languages).

A department writes its views as small explicit classes over its own selectors and services:

    class CurrencyListCreateApi(RecordListCreateApi):
        operations = OPERATIONS

The base classes here carry the behaviour, and `RecordSchema` documents them under the
department's own names (`currencies_list`, `Currency`, `PaginatedCurrencyList`, ...).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from django.db import models
from django.http import Http404
from django.utils.text import capfirst
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from project.kernel.conditional import conditional_read
from project.kernel.rest import (
    PAGE_PARAMETERS,
    ListFilterSerializer,
    code_input,
    name_input,
    names_input,
    names_output,
    paginated,
    paginated_response,
)


@dataclass(frozen=True)
class RecordOperations:
    """A department's own reads and writes of its records."""

    model: type[models.Model]
    list_records: Callable[..., Any]  # (*, search=None, codes=None) -> QuerySet, ordered by code
    get_record: Callable[..., Any]  # (*, code) -> record or None
    create_record: Callable[..., Any]  # (*, code, name, names=None) -> record
    # (*, <model name>=record, name=UNCHANGED, names=UNCHANGED) -> record
    update_record: Callable[..., Any]

    @property
    def singular(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def plural(self) -> str:
        return str(self.model._meta.verbose_name_plural)


class RecordSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    names = names_output()


class RecordCreateSerializer(serializers.Serializer):
    # A new record of `model`: its code and names, with the model's rules (the schema shows
    # them).
    def __init__(self, *args: Any, model: type[models.Model], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"] = code_input(model)
        self.fields["name"] = name_input(model)
        self.fields["names"] = names_input()


class ChangeSerializer(serializers.Serializer):
    """A PATCH body: at least one of its fields. An empty body, or one naming no field it knows
    (a misspelt name), would change nothing and answer 200 as if it had."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError(f"Send at least one of: {', '.join(self.fields)}.")
        return attrs


class RecordUpdateSerializer(ChangeSerializer):
    # A record's new names.
    def __init__(self, *args: Any, model: type[models.Model], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"] = name_input(model)
        self.fields["names"] = names_input()


class OperationsSchema(AutoSchema):
    """A schema read off a view's `operations` and `schema_actions` ({"get": "list", ...})."""

    def _operations(self) -> RecordOperations:
        return self.view.operations  # type: ignore[attr-defined]

    def _action(self) -> str:
        return self.view.schema_actions[self.method.lower()]  # type: ignore[attr-defined]


class RecordSchema(OperationsSchema):
    """The OpenAPI description of a record view, named after the view's department."""

    def get_operation_id(self) -> str:
        return f"{self._operations().plural}_{self._action()}"

    # drf-spectacular's own AutoSchema narrows ViewInspector's signature the same way.
    def get_description(self) -> str:  # type: ignore[override]
        operations = self._operations()
        return {
            "list": f"A page of {operations.plural}: `search` finds codes and names in every "
            "language, ignoring case and accents, best match first; `codes` "
            "keeps only those codes (any letter case), `ordering` sorts (an unknown field is a "
            "400).",
            "create": f"Creates a {operations.singular}; needs the department's add permission.",
            "retrieve": f"One {operations.singular} by its code (any letter case).",
            "update": f"Renames a {operations.singular} (its main name, its names per language); "
            "needs the department's change permission.",
        }[self._action()]

    def get_override_parameters(self) -> list:
        return [ListFilterSerializer, *PAGE_PARAMETERS] if self._action() == "list" else []

    def get_request_serializer(self) -> Any:
        model = self._operations().model
        match self._action():
            case "create":
                return RecordCreateSerializer(model=model)
            case "update":
                return RecordUpdateSerializer(model=model)
        return None

    def get_response_serializers(self) -> Any:
        match self._action():
            case "list":
                model_name = self._operations().model.__name__
                return paginated(RecordSerializer, f"Paginated{model_name}List")
            case "create":
                return {201: RecordSerializer}
            case _:
                return RecordSerializer

    def get_serializer_name(self, serializer: serializers.Serializer, direction: Any) -> str:
        # "Record", "RecordCreate" -> "Currency", "CurrencyCreate" (+ "Request" for inputs)
        name = super().get_serializer_name(serializer, direction)
        return name.replace("Record", self._operations().model.__name__, 1)


class OperationsApi(APIView):
    """A view over a department's `operations`, titled after its records: `title` "{} list"
    reads "Currency list" in the browsable API."""

    operations: ClassVar[RecordOperations]
    title: ClassVar[str] = "{}"

    @property
    def model(self) -> type[models.Model]:  # what the permission checks
        return self.operations.model

    @property
    def name(self) -> str:
        return self.title.format(capfirst(self.operations.singular))


class RecordListCreateApi(OperationsApi):
    """GET a page of records (search, codes); POST a new one."""

    title = "{} list"
    schema = RecordSchema()
    schema_actions = {"get": "list", "post": "create"}

    @conditional_read
    def get(self, request: Request) -> Response:
        filters = ListFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        records = self.operations.list_records(**filters.validated_data)
        return paginated_response(request, self, records.values("code", "name", "names"))

    def post(self, request: Request) -> Response:
        serializer = RecordCreateSerializer(data=request.data, model=self.operations.model)
        serializer.is_valid(raise_exception=True)
        record = self.operations.create_record(**serializer.validated_data)
        return Response(RecordSerializer(record).data, status=status.HTTP_201_CREATED)


class RecordDetailApi(OperationsApi):
    """GET one record by code; PATCH its name."""

    schema = RecordSchema()
    schema_actions = {"get": "retrieve", "patch": "update"}

    @conditional_read
    def get(self, request: Request, code: str) -> Response:
        return Response(RecordSerializer(self._get(code)).data)

    def patch(self, request: Request, code: str) -> Response:
        record = self._get(code)
        serializer = RecordUpdateSerializer(
            data=request.data, partial=True, model=self.operations.model
        )
        serializer.is_valid(raise_exception=True)
        record_argument = str(self.operations.model._meta.model_name)  # currency=...
        record = self.operations.update_record(
            **{record_argument: record}, **serializer.validated_data
        )
        return Response(RecordSerializer(record).data)

    def _get(self, code: str) -> models.Model:
        record = self.operations.get_record(code=code)
        if record is None:
            raise Http404(f"No {self.operations.singular} with code {code!r}.")
        return record
