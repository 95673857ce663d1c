"""The compatibility API (/api/v1/): the original workshop services' contract, a thin adapter
over each department's own selectors and services.

Records are `{"name", "shortName"}` (a shortName is a code); lists are plain arrays of every
record, ordered by shortName; paths work with and without a trailing slash."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import URLPattern, re_path
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from project.kernel.permissions import CompatibilityPermission
from project.kernel.records import OperationsApi, OperationsSchema
from project.kernel.rest import StrictCharField

TAG = "v1 compatibility"
DESCRIPTION = "Compatibility API of the original workshop services."


class RecordSerializer(serializers.Serializer):
    name = StrictCharField()
    shortName = StrictCharField(source="code")


def raise_as_v1(error: DjangoValidationError, renames: dict[str, str | tuple[str, str]]):
    """Re-raise a service's validation error under the compatibility API's field names; a
    (object, field) pair nests the messages: {"currency": {"shortName": [...]}}."""
    renames = {"__all__": api_settings.NON_FIELD_ERRORS_KEY, **renames}
    errors: dict = {}
    for field, messages in error.message_dict.items():
        target = renames.get(field, field)
        if isinstance(target, tuple):
            errors.setdefault(target[0], {})[target[1]] = messages
        else:
            errors[target] = messages
    raise exceptions.ValidationError(errors) from None


def document(**kwargs):
    """OpenAPI documentation of a compatibility operation."""
    return extend_schema(tags=[TAG], description=DESCRIPTION, **kwargs)


class V1Schema(OperationsSchema):
    """The OpenAPI description of a compatibility record view: `v1_currencies_list`, ..."""

    def get_operation_id(self) -> str:
        return f"v1_{self._operations().plural}_{self._action()}"

    def get_tags(self) -> list[str]:
        return [TAG]

    # drf-spectacular's own AutoSchema narrows ViewInspector's signature the same way.
    def get_description(self) -> str:  # type: ignore[override]
        return DESCRIPTION

    def get_request_serializer(self) -> Any:
        return RecordSerializer if self._action() == "create" else None

    def get_response_serializers(self) -> Any:
        match self._action():
            case "list":
                return RecordSerializer(many=True)
            case "create":
                return {201: RecordSerializer}
            case _:
                return RecordSerializer


class V1RecordListCreateApi(OperationsApi):
    """GET every record, POST one."""

    permission_classes = [CompatibilityPermission]
    title = "{} list (v1)"
    schema = V1Schema()
    schema_actions = {"get": "list", "post": "create"}

    def get(self, request: Request) -> Response:
        return Response(RecordSerializer(self.operations.list_records(), many=True).data)

    def post(self, request: Request) -> Response:
        serializer = RecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            record = self.operations.create_record(**serializer.validated_data)
        except DjangoValidationError as error:
            raise_as_v1(error, {"code": "shortName"})
        return Response(RecordSerializer(record).data, status=status.HTTP_201_CREATED)


class V1RecordDetailApi(OperationsApi):
    """GET one record by shortName."""

    permission_classes = [CompatibilityPermission]
    title = "{} (v1)"
    schema = V1Schema()
    schema_actions = {"get": "retrieve"}

    def get(self, request: Request, short_name: str) -> Response:
        record = self.operations.get_record(code=short_name)
        if record is None:
            raise Http404(f"No record with shortName {short_name!r}.")
        return Response(RecordSerializer(record).data)


def optional_slash(route: str) -> str:
    """A route regex matching with and without the trailing slash: the original clients send
    none, and a redirect would lose a POST's body."""
    return rf"^{route}/?$"


def v1_record_urls(
    *, list_create: type[V1RecordListCreateApi], detail: type[V1RecordDetailApi]
) -> list[URLPattern]:
    """The compatibility routes of one department's records: list + create, and detail, under
    the plural of the views' model (`api/v1/currencies`)."""
    plural = list_create.operations.plural
    return [
        re_path(optional_slash(f"api/v1/{plural}"), list_create.as_view(), name=f"v1-{plural}"),
        re_path(
            optional_slash(f"api/v1/{plural}/(?P<short_name>[^/]+)"),
            detail.as_view(),
            name=f"v1-{plural}-detail",
        ),
    ]
