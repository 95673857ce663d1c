"""Behaviour every department's REST API shares: codes, names, lists, details, access."""

import pytest
from django.db import connections

from tests.departments.conftest import DEPARTMENTS
from tests.factories import department_user

pytestmark = pytest.mark.django_db(databases="__all__")


def test_create_stores_code_normalised_and_name_trimmed(dept, staff):
    response = staff.post(
        dept.url, {"code": dept.code_typed, "name": "  Some name "}, format="json"
    )

    assert response.status_code == 201, response.json()
    assert response.json()["code"] == dept.code_stored
    assert response.json()["name"] == "Some name"
    assert staff.get(f"{dept.url}{dept.code_stored}/").json()["name"] == "Some name"


def test_duplicate_code_in_another_letter_case_is_a_400(dept, staff):
    dept.factory(code=dept.code_stored)
    before = dept.count()

    response = staff.post(
        dept.url, {"code": dept.code_stored.swapcase(), "name": "X"}, format="json"
    )

    assert response.status_code == 400
    assert "already exists" in response.json()["code"][0]
    assert dept.count() == before


def test_malformed_codes_are_rejected_and_nothing_is_written(dept, staff):
    for code in dept.bad_codes:
        response = staff.post(dept.url, {"code": code, "name": "Name"}, format="json")
        assert response.status_code == 400, code
        assert list(response.json()) == ["code"], (code, response.json())
    assert dept.count() == 0


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "blank"),
        ("   ", "blank"),
        ("x" * 101, "100"),
        ("Tab\tname", "Control characters"),
        ("Null\x00byte", "Null characters"),
    ],
)
def test_bad_names_are_rejected_with_a_message(dept, staff, name, message):
    response = staff.post(dept.url, {"code": dept.code_stored, "name": name}, format="json")

    assert response.status_code == 400
    assert message in response.json()["name"][0]
    assert dept.count() == 0


@pytest.mark.parametrize(
    "name",
    [
        "Côte d’Ivoire",  # noqa: RUF001 - the real name
        "中国",
        "Åland",
        "x" * 100,
    ],
)
def test_real_world_names_round_trip(dept, staff, name):
    response = staff.post(dept.url, {"code": dept.code_stored, "name": name}, format="json")

    assert response.status_code == 201
    assert staff.get(f"{dept.url}{dept.code_stored}/").json()["name"] == name


@pytest.mark.parametrize(
    "payload",
    [
        {"code": 123, "name": "Number code"},
        {"code": "ABC", "name": 7},
        {"code": ["AB"], "name": "List code"},
        {"code": None, "name": "Null code"},
        {"code": "AB", "name": None},
        {"name": "Missing code"},
    ],
)
def test_wrong_types_are_rejected(dept, staff, payload):
    response = staff.post(dept.url, payload, format="json")

    assert response.status_code == 400
    assert response.json()
    assert dept.count() == 0


def test_malformed_json_is_a_400(dept, staff):
    response = staff.post(dept.url, '{"code": "AB", ', content_type="application/json")

    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_unknown_fields_are_ignored(dept, staff):
    payload = {"code": dept.code_stored, "name": "Name", "colour": "blue", "id": 99}

    response = staff.post(dept.url, payload, format="json")

    assert response.status_code == 201
    assert "colour" not in response.json()


def test_list_is_paginated_and_ordered_by_code(dept, api):
    dept.factory.create_batch(60)

    first = api.get(dept.url).json()
    second = api.get(first["next"]).json()

    assert set(first) == {"count", "next", "previous", "results"}
    assert first["count"] == 60
    assert len(first["results"]) == 50
    assert len(second["results"]) == 10
    codes = [item["code"] for item in first["results"] + second["results"]]
    assert codes == sorted(codes)


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("name", ["Alpha", "Beta", "Beta", "Gamma"]),
        ("-name", ["Gamma", "Beta", "Beta", "Alpha"]),
    ],
)
def test_list_sorts_by_the_ordering_asked_ties_by_code(dept, api, ordering, expected):
    for name in ("Gamma", "Beta", "Alpha", "Beta"):
        dept.factory(name=name)

    results = api.get(dept.url, {"ordering": ordering}).json()["results"]

    assert [item["name"] for item in results] == expected
    betas = [item["code"] for item in results if item["name"] == "Beta"]
    assert betas == sorted(betas)


def test_list_sorts_by_code_descending(dept, api):
    dept.factory.create_batch(5)

    codes = [item["code"] for item in api.get(dept.url, {"ordering": "-code"}).json()["results"]]

    assert codes == sorted(codes, reverse=True)


@pytest.mark.parametrize("ordering", ["colour", "pk", "-id", "", "name,code", "created_at"])
def test_an_ordering_by_an_undocumented_field_is_a_400(dept, api, ordering):
    response = api.get(dept.url, {"ordering": ordering})

    assert response.status_code == 400
    assert list(response.json()) == ["ordering"]


def test_page_size_is_settable_up_to_500(dept, api):
    dept.factory.create_batch(3)

    assert len(api.get(dept.url, {"page_size": 2}).json()["results"]) == 2
    # Beyond the maximum the maximum applies: one page of everything here.
    assert len(api.get(dept.url, {"page_size": 10_000}).json()["results"]) == 3


def test_page_size_stops_at_500(dept, api):
    dept.factory.create_batch(501)

    body = api.get(dept.url, {"page_size": 10_000}).json()

    assert body["count"] == 501
    assert len(body["results"]) == 500
    assert "page=2" in body["next"]


def test_search_matches_code_and_name_ignoring_case(dept, api):
    dept.factory(code=dept.code_stored, name="Alpha")
    others = [dept.factory(name="Beta land"), dept.factory(name="Gamma")]

    by_name = api.get(dept.url, {"search": "BETA"}).json()["results"]
    by_code = api.get(dept.url, {"search": dept.code_stored.swapcase()}).json()["results"]

    assert [item["name"] for item in by_name] == ["Beta land"]
    # A factory's code may hold the code searched for ("qde"): found too, after the exact one.
    holding = sorted(o.code for o in others if dept.code_stored.lower() in o.code.lower())
    assert [item["code"] for item in by_code] == [dept.code_stored, *holding]


def test_codes_filter_returns_only_those_codes(dept, api):
    wanted = dept.factory(code=dept.code_stored)
    dept.factory()

    results = api.get(dept.url, {"codes": f"{dept.code_stored.swapcase()}, ZZZ"}).json()["results"]

    assert [item["code"] for item in results] == [wanted.code]


def test_detail_code_is_case_insensitive_and_unknown_is_404(dept, api):
    dept.factory(code=dept.code_stored, name="Found")

    assert api.get(f"{dept.url}{dept.code_stored.swapcase()}/").json()["name"] == "Found"
    assert api.get(f"{dept.url}QQQ/").status_code == 404


def test_patch_renames_and_keeps_the_code(dept, staff):
    dept.factory(code=dept.code_stored, name="Old")

    response = staff.patch(f"{dept.url}{dept.code_stored}/", {"name": " New "}, format="json")

    assert response.status_code == 200
    assert response.json()["name"] == "New"
    assert response.json()["code"] == dept.code_stored


def test_invalid_patch_changes_nothing(dept, staff):
    dept.factory(code=dept.code_stored, name="Old")

    response = staff.patch(f"{dept.url}{dept.code_stored}/", {"name": ""}, format="json")

    assert response.status_code == 400
    assert dept.factory._meta.model.objects.get().name == "Old"


@pytest.mark.parametrize("body", [{}, {"nmae": "Misspelt"}])
def test_a_patch_that_names_no_field_is_refused(dept, staff, body):
    dept.factory(code=dept.code_stored, name="Old")

    response = staff.patch(f"{dept.url}{dept.code_stored}/", body, format="json")

    assert response.status_code == 400
    (message,) = response.json()["non_field_errors"]
    assert message.startswith("Send at least one of: name")  # countries: and its links
    assert dept.factory._meta.model.objects.get().name == "Old"


def test_reads_are_public_and_anonymous_writes_are_401(dept, api):
    dept.factory(code=dept.code_stored)

    assert api.get(dept.url).status_code == 200
    assert api.post(dept.url, {"code": "XX", "name": "X"}, format="json").status_code == 401
    assert (
        api.patch(f"{dept.url}{dept.code_stored}/", {"name": "X"}, format="json").status_code == 401
    )
    assert dept.count() == 1


def test_staff_of_another_department_get_403(dept, api_as):
    other = next(d for d in DEPARTMENTS if d.name != dept.name)
    dept.factory(code=dept.code_stored, name="Mine")
    outsider = api_as(other.name)

    assert outsider.post(dept.url, {"code": "XX", "name": "X"}, format="json").status_code == 403
    response = outsider.patch(f"{dept.url}{dept.code_stored}/", {"name": "X"}, format="json")
    assert response.status_code == 403
    assert dept.factory._meta.model.objects.get().name == "Mine"


def test_session_login_can_write_too(dept, client):
    department_user(dept.name, username="sally")
    client.login(username="sally", password="correct horse")

    response = client.post(
        dept.url, {"code": dept.code_stored, "name": "Via session"}, content_type="application/json"
    )

    assert response.status_code == 201


def test_each_department_writes_to_its_own_database(dept, staff):
    staff.post(dept.url, {"code": dept.code_stored, "name": "Here"}, format="json")

    model = dept.factory._meta.model
    assert model.objects.using(dept.name).count() == 1
    table = connections[dept.name].ops.quote_name(model._meta.db_table)
    with connections[dept.name].cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        assert cursor.fetchone()[0] == 1


@pytest.mark.parametrize("parameter", ["page", "page_size"])
@pytest.mark.parametrize("value", ["", "0", "-1", "ten", "null", "1.5"])
def test_a_malformed_page_or_page_size_is_a_400(dept, api, parameter, value):
    response = api.get(dept.url, {parameter: value})

    assert response.status_code == 400
    assert response.json() == {parameter: ["Enter a whole number from 1."]}


def test_a_page_past_the_end_is_a_404(dept, api):
    dept.factory()

    assert api.get(dept.url, {"page": 2}).status_code == 404


def test_a_method_the_api_does_not_offer_is_a_405(dept, api_as):
    dept.factory(code=dept.code_stored)

    staff = api_as(dept.name)
    assert staff.delete(f"{dept.url}{dept.code_stored}/").status_code == 405
    assert staff.put(dept.url, {}, format="json").status_code == 405
    assert staff.generic("TRACE", dept.url).status_code == 405
