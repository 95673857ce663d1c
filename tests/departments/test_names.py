"""Names per language: kept by each department beside the main name, written through its API and
admin, found by search, sorted in the reader's language, seeded from CLDR."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from countries.models import Country, CountryOutbox
from currencies.models import Currency, CurrencyOutbox
from currencies.services import currency_create
from languages.models import Language, LanguageOutbox
from tests.events.schemas import assert_published_as_documented
from tests.factories import CountryFactory, CurrencyFactory, LanguageFactory

pytestmark = pytest.mark.django_db(databases="__all__")


OUTBOXES = {"countries": CountryOutbox, "currencies": CurrencyOutbox, "languages": LanguageOutbox}


def run_command(*args) -> list[str]:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().splitlines()


def test_names_are_created_read_and_replaced_through_the_api(dept, staff):
    created = staff.post(
        dept.url,
        {"code": dept.code_stored, "name": "Main", "names": {"en": " English ", "de": "Deutsch"}},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["names"] == {"en": "English", "de": "Deutsch"}

    changed = staff.patch(f"{dept.url}{dept.code_stored}/", {"names": {"de": "Neu"}}, format="json")

    assert changed.status_code == 200, changed.json()
    assert changed.json()["names"] == {"de": "Neu"}  # replaced, not merged
    assert changed.json()["name"] == "Main"
    listed = staff.get(dept.url).json()["results"]
    assert [(row["name"], row["names"]) for row in listed] == [("Main", {"de": "Neu"})]


def test_a_blank_name_per_language_is_none_and_the_main_name_stays(dept, staff):
    response = staff.post(
        dept.url,
        {"code": dept.code_stored, "name": "Main", "names": {"en": "  ", "de": ""}},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["names"] == {}


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ({"fr": "Allemagne"}, "Unknown language 'fr'"),
        ({"de": "x" * 101}, "100"),
        ({"de": "Tab\tname"}, "Control characters"),
        ({"de": "txt\u202eexe"}, "direction controls"),
        ({"de": 5}, "valid string"),
        (["de", "Deutschland"], "dictionary"),
    ],
)
def test_bad_names_are_a_400_on_the_names_field_and_nothing_is_written(dept, staff, names, message):
    response = staff.post(
        dept.url, {"code": dept.code_stored, "name": "Main", "names": names}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["names"], response.json()
    assert message in json.dumps(response.json()), response.json()
    assert dept.count() == 0


def test_a_record_is_found_by_its_name_in_every_language(dept, staff):
    dept.factory(code=dept.code_stored, name="Plain", names={"de": "Zwölfling"})

    found = staff.get(dept.url, {"search": "zwolf"}).json()["results"]

    assert [row["code"] for row in found] == [dept.code_stored]


def test_names_sort_in_the_language_asked_for(api):
    for code, name, german in (
        ("DE", "Germany", "Deutschland"),
        ("AT", "Austria", "Österreich"),
        ("DK", "Denmark", "Dänemark"),
        ("QX", "Quux", None),  # no German name: sorted by its main name
    ):
        CountryFactory(code=code, name=name, names={"de": german} if german else {})

    def codes(**params):
        return [row["code"] for row in api.get("/api/countries/", params).json()["results"]]

    assert codes(ordering="name") == ["AT", "DK", "DE", "QX"]
    assert codes(ordering="name", language="de") == ["DK", "DE", "AT", "QX"]
    assert codes(ordering="-name", language="de") == ["QX", "AT", "DE", "DK"]
    response = api.get("/api/countries/", {"ordering": "name", "language": "fr"})
    assert response.status_code == 400
    assert list(response.json()) == ["language"]


def test_linked_countries_carry_every_name_and_sort_in_the_language_asked_for(api):
    CurrencyFactory(code="EUR", name="Euro", names={"de": "Euro"})
    LanguageFactory(code="de", name="German", names={"de": "Deutsch"})
    for code, name, german in (("DE", "Germany", "Deutschland"), ("AT", "Austria", "Österreich")):
        CountryFactory(
            code=code, name=name, names={"de": german}, currency_code="EUR", language_code="de"
        )

    body = api.get("/api/linked-countries/", {"ordering": "name", "language": "de"}).json()

    assert [row["names"]["de"] for row in body["results"]] == ["Deutschland", "Österreich"]
    assert body["results"][0]["language"] == {
        "code": "de",
        "name": "German",
        "names": {"de": "Deutsch"},
    }


def test_events_carry_the_names_as_documented(staff, dept):
    staff.post(
        dept.url,
        {"code": dept.code_stored, "name": "Main", "names": {"de": "Haupt"}},
        format="json",
    )
    outbox = OUTBOXES[dept.name]

    event = outbox._default_manager.get()

    assert event.state is not None
    assert event.state["names"] == {"de": "Haupt"}
    assert_published_as_documented(outbox.stream, event.message())


def test_a_replica_applies_an_event_published_before_names_existed():
    """A producer of an older version sends no names: the record reads with none."""
    currency_create(code="EUR", name="Euro", names={"de": "Euro"})
    message = json.loads(CurrencyOutbox.objects.get().message())
    del message["state"]["names"]

    event = CurrencyOutbox.stream.decode(json.dumps(message).encode())

    assert event.record is not None
    assert (event.record.name, event.record.names) == ("Euro", {})


def test_the_reference_data_names_records_in_every_language_of_the_site():
    run_command("load_reference_data")

    germany = Country.objects.get(code="DE")
    assert (germany.name, germany.names) == ("Germany", {"en": "Germany", "de": "Deutschland"})
    assert Currency.objects.get(code="EUR").names["de"] == "Euro"
    assert Language.objects.get(code="de").names == {"en": "German", "de": "Deutsch"}
    # The main name stays pycountry's, as the compatibility API has always shown it.
    assert Country.objects.get(code="KR").name == "Korea, Republic of"
    assert Country.objects.get(code="KR").names["de"] == "Südkorea"


def test_the_reference_data_names_existing_records_without_names_and_keeps_chosen_ones():
    run_command("load_reference_data")
    Country.objects.filter(code="FR").update(names={})
    Country.objects.filter(code="DE").update(names={"de": "Bundesrepublik"})
    Currency.objects.filter(code="EUR").update(names={})
    events_before = CountryOutbox.objects.count()

    lines = run_command("load_reference_data")

    assert Country.objects.get(code="FR").names == {"en": "France", "de": "Frankreich"}
    assert Country.objects.get(code="DE").names == {"de": "Bundesrepublik"}
    assert Currency.objects.get(code="EUR").names == {"en": "Euro", "de": "Euro"}
    assert "countries: 0 created, 0 linked, 1 named, 248 unchanged" in lines
    assert "currencies: 0 created, 0 linked, 1 named" in " ".join(lines)
    assert CountryOutbox.objects.count() == events_before + 1  # told as any change is
