"""The bad-input corpus: every write the APIs offer, and the bad values each must refuse. Run
in one process (tests/reliability/test_bad_input.py) and against the split topology
(tests/topology/test_bad_input_split.py)."""

import copy
from typing import Any

import pytest

# (department, method, path, a valid body): every write the APIs offer.
WRITES: list[tuple[str, str, str, dict[str, Any]]] = [
    ("countries", "post", "/api/countries/", {"code": "QA", "name": "Name"}),
    ("countries", "patch", "/api/countries/AT/", {"name": "Name"}),
    ("currencies", "post", "/api/currencies/", {"code": "QQQ", "name": "Name"}),
    ("currencies", "patch", "/api/currencies/EUR/", {"name": "Name"}),
    ("languages", "post", "/api/languages/", {"code": "qq", "name": "Name"}),
    ("languages", "patch", "/api/languages/de/", {"name": "Name"}),
    ("countries", "post", "/api/v1/countries", {"shortName": "QA", "name": "Name"}),
    ("currencies", "post", "/api/v1/currencies", {"shortName": "QQQ", "name": "Name"}),
    ("languages", "post", "/api/v1/languages", {"shortName": "qq", "name": "Name"}),
    (
        "countries",
        "post",
        "/api/v1/countries-with-languages-and-currencies",
        {
            "country": {"shortName": "AT"},
            "currency": {"shortName": "EUR"},
            "language": {"shortName": "de"},
        },
    ),
]
CODE_FIELD = {"code", "shortName"}


def name_cases():
    return {
        "empty name": "",
        "whitespace name": "   \t ",
        "over-long name": "n" * 101,
        "control characters": "bell\x07",
        "null byte": "nul\x00",
        "null name": None,
        "number name": 42,
        "list name": ["Name"],
        "object name": {"name": "Name"},
        "boolean name": True,
        "right-to-left override": "abc\u202etxt.exe",
        "combining marks only": "\u0301\u0308",
    }


def code_cases():
    return {
        "digits": "12",
        "punctuation": "A;",
        "non-ASCII letters": "ÄÖ",
        "over-long code": "ABCD",
        "SQL injection": "A' OR '1'='1",
        "HTML injection": "<script>",
        "empty code": "",
        "null code": None,
        "number code": 7,
        "trailing separator": "de,",
        "two codes": "de,fr",
    }


def link_cases():
    """Codes a link must refuse; null is not among them: it unlinks."""
    return {label: value for label, value in code_cases().items() if value is not None}


def bad_bodies():
    for department, method, path, valid in WRITES:
        if "name" not in valid:
            continue  # the v1 link names no record: see bad_links()
        for label, value in name_cases().items():
            yield pytest.param(
                department, method, path, {**valid, "name": value}, id=f"{method} {path} {label}"
            )
        code_field = next((f for f in valid if f in CODE_FIELD), None)
        if code_field:
            for label, value in code_cases().items():
                yield pytest.param(
                    department,
                    method,
                    path,
                    {**valid, code_field: value},
                    id=f"{method} {path} {label}",
                )


def bad_links():
    for method, path, valid in [
        ("post", "/api/countries/", {"code": "QA", "name": "Name"}),
        ("patch", "/api/countries/AT/", {}),
    ]:
        for field in ("currency_code", "language_code"):
            for label, value in link_cases().items():
                yield pytest.param(
                    "countries",
                    method,
                    path,
                    {**valid, field: value},
                    id=f"{method} {path} {field} {label}",
                )
    _, method, path, nested = WRITES[-1]
    for part in nested:
        for label, value in code_cases().items():
            body = copy.deepcopy(nested)
            body[part]["shortName"] = value
            yield pytest.param(
                "countries", method, path, body, id=f"{method} {path} {part} {label}"
            )
        for label, value in {"missing": ..., "a string": "AT", "null": None}.items():
            body = copy.deepcopy(nested)
            if value is ...:
                del body[part]
            else:
                body[part] = value
            yield pytest.param(
                "countries", method, path, body, id=f"{method} {path} {part} {label}"
            )


# Every list and detail path, read anonymously.
LISTS = ["/api/countries/", "/api/currencies/", "/api/languages/", "/api/linked-countries/"]
DETAILS = [
    "/api/countries/{}/",
    "/api/currencies/{}/",
    "/api/languages/{}/",
    "/api/v1/countries/{}",
    "/api/v1/currencies/{}",
    "/api/v1/languages/{}",
]
