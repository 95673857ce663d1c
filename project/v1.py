"""The compatibility API (/api/v1/): the original workshop services' contract, a thin adapter
over each department's own selectors and services.

Records are `{"name", "shortName"}` (a shortName is a code); lists are plain arrays of every
record, ordered by shortName; paths work with and without a trailing slash."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import re_path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from project.api import StrictCharField
from project.permissions import CompatibilityPermission
from project.records import RecordOperations

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


class RecordListCreateApi(APIView):
    """GET every record, POST one."""

    permission_classes = [CompatibilityPermission]
    operations: RecordOperations

    @property
    def model(self):  # what the permission checks
        return self.operations.model

    def get(self, request):
        return Response(RecordSerializer(self.operations.list_records(), many=True).data)

    def post(self, request):
        serializer = RecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            record = self.operations.create_record(**serializer.validated_data)
        except DjangoValidationError as error:
            raise_as_v1(error, {"code": "shortName"})
        return Response(RecordSerializer(record).data, status=status.HTTP_201_CREATED)


class RecordDetailApi(APIView):
    """GET one record by shortName."""

    permission_classes = [CompatibilityPermission]
    operations: RecordOperations

    def get(self, request, short_name):
        record = self.operations.get_record(code=short_name)
        if record is None:
            raise Http404(f"No record with shortName {short_name!r}.")
        return Response(RecordSerializer(record).data)


def optional_slash(route: str) -> str:
    """A route regex matching with and without the trailing slash: the original clients send
    none, and a redirect would lose a POST's body."""
    return rf"^{route}/?$"


def record_urls(plural: str, operations: RecordOperations) -> list:
    """The compatibility routes of one department's records: list + create, and detail."""
    name = f"V1{operations.model.__name__}"
    list_view = extend_schema_view(
        get=document(operation_id=f"v1_{plural}_list", responses=RecordSerializer(many=True)),
        post=document(
            operation_id=f"v1_{plural}_create",
            request=RecordSerializer,
            responses={201: RecordSerializer},
        ),
    )(type(f"{name}ListCreateApi", (RecordListCreateApi,), {"operations": operations}))
    detail_view = extend_schema_view(
        get=document(operation_id=f"v1_{plural}_retrieve", responses=RecordSerializer),
    )(type(f"{name}DetailApi", (RecordDetailApi,), {"operations": operations}))
    return [
        re_path(optional_slash(f"api/v1/{plural}"), list_view.as_view(), name=f"v1-{plural}"),
        re_path(
            optional_slash(f"api/v1/{plural}/(?P<short_name>[^/]+)"),
            detail_view.as_view(),
            name=f"v1-{plural}-detail",
        ),
    ]
