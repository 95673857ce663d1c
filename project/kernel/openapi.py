"""What the OpenAPI schema says beyond each view's own success response."""

from rest_framework.permissions import SAFE_METHODS

_DETAIL = {"$ref": "#/components/schemas/ErrorDetail"}
_FIELD_ERRORS = {"$ref": "#/components/schemas/FieldErrors"}
# Status, schema, description: what any operation may answer, and what writes may add.
_ANY = [
    ("400", _FIELD_ERRORS, "Invalid input: messages per field."),
    ("404", _DETAIL, "No such record or page."),
    ("503", _DETAIL, "A department or a database is unavailable; nothing was changed."),
]
_WRITES = [
    ("401", _DETAIL, "No credentials."),
    ("403", _DETAIL, "The user is not staff of this department."),
    ("413", _DETAIL, "The request body is too large."),
    ("415", _DETAIL, "The body is not JSON."),
    ("429", _DETAIL, "Too many writes; try again later."),
]


def document_errors_and_public_reads(result, generator, request, public):
    """A drf-spectacular post-processing hook: every operation documents its error answers,
    and reads state that they need no credentials; a PATCH body (drf-spectacular names its
    component Patched...) names at least one field (see ChangeSerializer)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in schemas.items():
        if name.startswith("Patched"):
            schema["minProperties"] = 1
    schemas["ErrorDetail"] = {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    }
    schemas["FieldErrors"] = {
        "type": "object",
        "description": 'DRF\'s validation errors: {"field": ["message", ...]}, nested for objects.',
        "additionalProperties": True,
    }
    too_long = {"description": "The URL is too long (answered by the server, as HTML)."}
    for operations in result["paths"].values():
        for method, operation in operations.items():
            read = method.upper() in SAFE_METHODS
            for status, schema, description in _ANY + ([] if read else _WRITES):
                operation["responses"].setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": schema}},
                    },
                )
            operation["responses"].setdefault("414", too_long)
            if read and {} not in operation.setdefault("security", []):
                operation["security"].append({})
    return result
