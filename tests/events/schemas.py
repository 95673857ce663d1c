"""The committed JSON Schemas of the departments' events (docs/events/), as a check."""

import json
from pathlib import Path

from jsonschema import Draft202012Validator

from project.kernel.events import EventStream

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "events"


def event_schema(stream: EventStream) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{stream.record_type}-event.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def assert_published_as_documented(stream: EventStream, message: bytes) -> None:
    errors = [error.message for error in event_schema(stream).iter_errors(json.loads(message))]
    assert errors == [], f"{stream.record_type} event {message!r} breaks its schema: {errors}"
