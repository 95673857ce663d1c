"""REST plumbing shared by the departments: pagination, errors, strict fields."""

import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import ProhibitNullCharactersValidator, RegexValidator
from django.db import InterfaceError, OperationalError
from django.db.models import Field as ModelField
from django.db.models import Model, QuerySet
from drf_spectacular.utils import inline_serializer
from rest_framework import exceptions, parsers, serializers
from rest_framework.fields import empty
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from project.kernel.fields import NAME_LENGTH
from project.kernel.names import site_languages
from project.kernel.paginator import ThriftyPaginator
from project.kernel.ports import DepartmentUnavailable


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    # No page controls in the browsable API: they would COUNT even where the answer needs none.
    template = None

    def __init__(self, *, count: int | None = None):
        self.known_count = count  # the number of items, when the caller has counted them
        self.pages: ThriftyPaginator | None = None  # kept: it knows the count past the end too

    # DRF calls this as the class it stands in for.
    def django_paginator_class(self, object_list, per_page):  # type: ignore[override]
        self.pages = ThriftyPaginator(object_list, per_page, count=self.known_count)
        return self.pages

    # DRF quietly falls back to defaults on a malformed value; a wrong value deserves an answer.
    def get_page_number(self, request, paginator):
        return _whole_number(request, self.page_query_param) or 1

    def get_page_size(self, request):
        size = _whole_number(request, self.page_size_query_param)
        return min(size, self.max_page_size) if size else self.page_size


def _whole_number(request, name: str) -> int | None:
    """The query parameter as a whole number from 1, None if absent, else a 400."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:  # "²".isdigit() too
        raise exceptions.ValidationError({name: ["Enter a whole number from 1."]})
    return int(raw)


def paginated_response(
    request, view, rows: QuerySet, to_json: Callable[[list[dict]], list[dict]] | None = None
) -> Response:
    """One page of `rows`, a `.values()` queryset whose dicts are the items as they are (or
    as `to_json` completes the page's dicts). Lists are the calls services make to each other
    most: plain dicts cost a fraction of model instances rendered through a serializer."""
    paginator = StandardPagination()
    page = paginator.paginate_queryset(rows, request, view=view) or []  # None: no paging
    return paginator.get_paginated_response(page if to_json is None else to_json(list(page)))


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with a body nested too deeply for Python's parser answered as a
    parse error (400), not a RecursionError (500)."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from None


class StrictCharField(serializers.CharField):
    """A CharField that rejects numbers instead of turning them into strings."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class _QueryParameter(serializers.Field):
    """Absent, the default applies; present, even empty, the value is validated (DRF's form
    handling would quietly turn an empty value into the default)."""

    def get_value(self, dictionary):
        return dictionary.get(self.field_name, empty)


class QueryBooleanField(_QueryParameter, serializers.BooleanField):
    pass


class QueryChoiceField(_QueryParameter, serializers.ChoiceField):
    pass


class ServiceUnavailable(exceptions.APIException):
    status_code = 503
    default_detail = "Service temporarily unavailable."
    default_code = "service_unavailable"


def exception_handler(exc, context):
    """DRF's handler, plus: model validation errors are 400s in DRF's shape, an unreachable
    department or database is a 503 with a clear message."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_as_drf_detail(exc))
    elif isinstance(exc, DepartmentUnavailable):
        exc = ServiceUnavailable(str(exc))
    elif isinstance(exc, OperationalError | InterfaceError):
        exc = ServiceUnavailable("The database is unavailable; try again shortly.")
    return drf_exception_handler(exc, context)


def _as_drf_detail(error: DjangoValidationError):
    if not hasattr(error, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: error.messages}
    non_field = "__all__"
    return {
        (api_settings.NON_FIELD_ERRORS_KEY if field == non_field else field): messages
        for field, messages in error.message_dict.items()
    }


class SearchField(serializers.CharField):
    """What someone typed into a search box. Whatever it holds, the search answers: text no
    record can contain (a NUL, other control characters) finds nothing, the same in one
    process as over HTTP, where a 400 would read as an outage."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators = [
            validator
            for validator in self.validators
            if not isinstance(validator, ProhibitNullCharactersValidator)
        ]


def ordering_choices(*fields: str) -> list[str]:
    """`fields` ascending, and descending with a leading "-", as `ordering` accepts them."""
    return [choice for field in fields for choice in (field, f"-{field}")]


def language_parameter() -> QueryChoiceField:
    """The `language` query parameter: names sort as read in it."""
    return QueryChoiceField(
        choices=site_languages(),
        required=False,
        help_text="Sort names as read in this language: a record's name in it where it has one, "
        "else its main name. Absent: by the main name.",
    )


class ListFilterSerializer(serializers.Serializer):
    """Query parameters every department list takes."""

    ordering = QueryChoiceField(
        choices=ordering_choices("code", "name"),
        default="code",
        help_text="Sort by this field; a leading '-' reverses it. Ties are sorted by code.",
    )
    language = language_parameter()

    search = SearchField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="Finds codes and names in every language, ignoring case and accents; the "
        "best match first (a whole code or name, then one that starts with it).",
    )
    codes = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Comma-separated codes: only these records (any letter case).",
    )

    def validate_codes(self, value: str) -> list[str]:
        return [code for code in (part.strip() for part in value.split(",")) if code]


class PageParameters(serializers.Serializer):
    """The paging parameters as the schema documents them (StandardPagination reads them)."""

    page = serializers.IntegerField(required=False, min_value=1, help_text="Page number, from 1.")
    page_size = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Items per page: 50 unless set; more than 500 are taken as 500.",
    )


PAGE_PARAMETERS = [PageParameters]


def code_input(model: type[Model]) -> StrictCharField:
    """The API input of `model`'s code: the shape its model field checks (the field's regex
    validator), in any letter case, as codes are stored normalised; the schema states it as a
    pattern. The model's own validation stays the final word."""
    field = model._meta.get_field("code")
    assert isinstance(field, ModelField)
    shape = next(v for v in field.validators if isinstance(v, RegexValidator))
    letters = re.compile(shape.regex).pattern.removeprefix(r"\A").removesuffix(r"\Z")
    any_case = re.sub("A-Z|a-z", "A-Za-z", letters)  # [A-Z]{3} -> [A-Za-z]{3}
    return StrictCharField(
        max_length=field.max_length,
        validators=[RegexValidator(f"^{any_case}$", message=shape.message)],
    )


def name_input(model: type[Model]) -> StrictCharField:
    """The API input of `model`'s name, with its length limit stated in the schema."""
    field = model._meta.get_field("name")
    assert isinstance(field, ModelField)
    return StrictCharField(max_length=field.max_length)


def names_input() -> serializers.DictField:
    """The API input of a record's names per language; the model checks the languages."""
    return serializers.DictField(
        child=StrictCharField(max_length=NAME_LENGTH, allow_blank=True),
        required=False,
        help_text='The name in each language of the site that has one of its own, {"de": '
        '"Deutschland"}; replaces all of them. A blank name is none: the main name is shown.',
    )


def names_output() -> serializers.DictField:
    return serializers.DictField(
        child=serializers.CharField(),
        help_text="The name in each language of the site that has one of its own; the others "
        "show `name`.",
    )


def paginated(item_serializer, name: str, **extra_fields):
    """The OpenAPI shape of a paginated list of `item_serializer` items."""
    return inline_serializer(
        name=name,
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item_serializer(many=True),
            **extra_fields,
        },
    )
