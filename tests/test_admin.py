"""Each department's admin site shows and edits only that department's data."""

import pytest
from django.test import override_settings

from countries.models import Country
from currencies.models import Currency
from languages.models import Language
from project.topology import Topology
from tests.factories import CountryFactory, CurrencyFactory, LanguageFactory, department_user
from tests.loopback import closed_port_url

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def login(client):
    def as_staff_of(department):
        department_user(department, username=f"{department}-admin")
        client.login(username=f"{department}-admin", password="correct horse")
        return client

    return as_staff_of


def test_department_admin_lists_and_searches_its_records(login):
    CurrencyFactory(code="EUR", name="Euro")
    CurrencyFactory(code="USD", name="US Dollar")
    client = login("currencies")

    listing = client.get("/admin/currencies/currencies/currency/")
    search = client.get("/admin/currencies/currencies/currency/", {"q": "dollar"})

    assert listing.status_code == 200
    assert b"Euro" in listing.content
    assert b"US Dollar" in search.content
    assert b"Euro" not in search.content


def test_department_admin_creates_with_the_api_rules(login):
    client = login("currencies")

    created = client.post(
        "/admin/currencies/currencies/currency/add/", {"code": " chf", "name": "Franc"}
    )
    duplicate = client.post(
        "/admin/currencies/currencies/currency/add/", {"code": "Chf", "name": "X"}
    )
    malformed = client.post(
        "/admin/currencies/currencies/currency/add/", {"code": "C1", "name": "X"}
    )

    assert created.status_code == 302
    assert Currency.objects.get().code == "CHF"
    assert "A currency with this code already exists." in duplicate.content.decode()
    assert "Enter exactly 3 letters" in malformed.content.decode()
    assert Currency.objects.count() == 1


def test_country_admin_checks_links_with_the_other_departments(login):
    CurrencyFactory(code="EUR")
    LanguageFactory(code="de")
    client = login("countries")
    url = "/admin/countries/countries/country/add/"

    unknown = client.post(url, {"code": "AT", "name": "Austria", "currency_code": "ATS"})
    linked = client.post(
        url, {"code": "AT", "name": "Austria", "currency_code": "eur", "language_code": "DE"}
    )

    assert "Unknown currency code" in unknown.content.decode()
    assert linked.status_code == 302
    assert Country.objects.get().currency_code == "EUR"
    assert Country.objects.get().language_code == "de"


def test_department_staff_cannot_reach_another_departments_records(login):
    CountryFactory(code="DE")
    client = login("currencies")

    assert client.get("/admin/countries/countries/country/").status_code == 403
    assert (
        client.post(
            "/admin/countries/countries/country/add/", {"code": "FR", "name": "France"}
        ).status_code
        == 403
    )
    assert Country.objects.count() == 1


def test_admin_sites_require_login(client):
    response = client.get("/admin/languages/")

    assert response.status_code == 302
    assert "/admin/languages/login/" in response["Location"]


@pytest.mark.parametrize("department", ["countries", "currencies", "languages"])
def test_each_admin_site_shows_only_its_department_even_to_a_superuser(
    client, django_user_model, department
):
    django_user_model.objects.create_superuser("root", password="correct horse")
    client.login(username="root", password="correct horse")

    index = client.get(f"/admin/{department}/").text

    assert f'href="/admin/{department}/{department}/' in index
    for other in {"countries", "currencies", "languages"} - {department}:
        assert f"/admin/{department}/{other}/" not in index
    assert f"/admin/{department}/auth/" not in index


def test_a_write_the_service_refuses_after_the_form_passed_is_shown_and_not_saved(
    login, monkeypatch
):
    """A race lost to another writer: the form's uniqueness check passed, the database
    constraint refuses the row. The admin writes through the service, which reports it like the
    check would have, so the user sees why and nothing is saved (no 500)."""
    CurrencyFactory(code="EUR", name="Euro")
    monkeypatch.setattr(Currency, "validate_unique", lambda self, exclude=None: None)
    client = login("currencies")

    response = client.post(
        "/admin/currencies/currencies/currency/add/", {"code": "EUR", "name": "Other euro"}
    )
    page = client.get(response["Location"])

    assert response.status_code == 302
    assert response["Location"] == "/admin/currencies/currencies/currency/add/"
    assert "Not saved: A currency with this code already exists." in page.text
    assert list(Currency.objects.values_list("name", flat=True)) == ["Euro"]


def test_a_link_whose_target_went_away_after_the_form_check_is_not_saved(login, monkeypatch):
    """The form checks the codes with the other departments; the service checks them again when
    it saves. A currency removed in between is named, and the country keeps its old links."""
    CurrencyFactory(code="EUR")
    CountryFactory(code="AT", name="Austria", currency_code="EUR")
    country = Country.objects.get(code="AT")
    monkeypatch.setattr(
        "countries.admin.country_links_resolve",
        lambda **links: {"currency_code": "CHF", "language_code": None},  # checked: "CHF" existed
    )
    client = login("countries")

    response = client.post(
        f"/admin/countries/countries/country/{country.pk}/change/",
        {"code": "AT", "name": "Austria", "currency_code": "CHF", "language_code": ""},
    )
    page = client.get(response["Location"])

    assert response.status_code == 302
    assert "Not saved: Unknown currency code &#x27;CHF&#x27;." in page.text
    assert Country.objects.get(code="AT").currency_code == "EUR"


def test_department_staff_cannot_use_the_superuser_site(client, django_user_model):
    department_user("currencies", username="carla")

    login = client.post("/admin/login/", {"username": "carla", "password": "correct horse"})
    password_change = client.get("/admin/password_change/")
    own_site = client.get("/admin/currencies/")

    assert login.status_code == 200  # the form again, not a redirect into the site
    assert "This site is for superusers." in login.text
    assert password_change.status_code == 302
    assert "/admin/login/" in password_change["Location"]
    assert own_site.status_code == 302  # not logged in by the superuser site
    assert client.login(username="carla", password="correct horse")
    assert client.get("/admin/currencies/").status_code == 200
    assert client.get("/admin/").status_code == 302


def test_a_superuser_uses_the_superuser_site(client, django_user_model):
    django_user_model.objects.create_superuser("root", password="correct horse")
    client.login(username="root", password="correct horse")

    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/password_change/").status_code == 200


@pytest.fixture
def euro_area():
    CurrencyFactory(code="EUR", name="Euro")
    CurrencyFactory(code="USD", name="US Dollar")
    LanguageFactory(code="de", name="German")
    CountryFactory(code="DE", name="Germany", currency_code="EUR", language_code="de")
    CountryFactory(code="AT", name="Austria", currency_code="EUR", language_code="de")
    CountryFactory(code="US", name="United States", currency_code="USD")


def refused(code: str, subject: str, names: str) -> str:
    return f"Not deleted: {subject} to {code}: {names}."


DELETABLE = [
    ("currencies", "currencies/currencies/currency", Currency, "EUR"),
    ("languages", "languages/languages/language", Language, "de"),
]


@pytest.mark.parametrize(("department", "path", "model", "code"), DELETABLE)
def test_deleting_a_record_countries_link_to_is_refused_naming_them(
    login, euro_area, department, path, model, code
):
    record = model.objects.get(code=code)
    client = login(department)

    confirmation = client.get(f"/admin/{path}/{record.pk}/delete/")
    confirmed = client.post(f"/admin/{path}/{record.pk}/delete/", {"post": "yes"}, follow=True)

    assert confirmation.status_code == 302
    assert confirmation["Location"] == f"/admin/{path}/{record.pk}/change/"
    assert confirmed.redirect_chain == [(f"/admin/{path}/{record.pk}/change/", 302)]
    page = confirmed.content.decode()
    assert refused(code, "2 countries link", "AT Austria, DE Germany") in page
    assert "United States" not in page
    assert model.objects.filter(code=code).exists()


@pytest.mark.parametrize(("department", "path", "model", "code"), DELETABLE)
def test_a_record_no_country_links_to_still_deletes(
    login, euro_area, department, path, model, code
):
    unused = model.objects.create(code="CHF" if model is Currency else "fr", name="Unused")
    client = login(department)

    confirmation = client.get(f"/admin/{path}/{unused.pk}/delete/")
    confirmed = client.post(f"/admin/{path}/{unused.pk}/delete/", {"post": "yes"})

    assert "Are you sure" in confirmation.content.decode()
    assert confirmed.status_code == 302
    assert not model.objects.filter(pk=unused.pk).exists()


def test_a_refusal_names_at_most_twenty_countries_and_counts_the_rest(login):
    CurrencyFactory(code="EUR", name="Euro")
    for number in range(23):
        CountryFactory(code=f"Q{chr(65 + number)}", name=f"Land {number:02d}", currency_code="EUR")
    euro = Currency.objects.get(code="EUR")
    client = login("currencies")

    page = client.get(f"/admin/currencies/currencies/currency/{euro.pk}/delete/", follow=True)

    text = page.content.decode()
    assert "Not deleted: 23 countries link to EUR: QA Land 00, QB Land 01," in text
    assert "QT Land 19 and 3 more." in text
    assert "Land 20" not in text


def bulk_delete(client, codes, *, confirmed=False):
    data = {
        "action": "delete_selected",
        "_selected_action": list(
            Currency.objects.filter(code__in=codes).values_list("pk", flat=True)
        ),
    }
    if confirmed:
        data["post"] = "yes"
    return client.post("/admin/currencies/currencies/currency/", data, follow=True)


@pytest.mark.parametrize("confirmed", [False, True])
def test_a_bulk_delete_is_refused_naming_the_countries_of_each_record(login, euro_area, confirmed):
    CurrencyFactory(code="CHF", name="Unused")
    client = login("currencies")

    page = bulk_delete(client, ["EUR", "USD", "CHF"], confirmed=confirmed).content.decode()

    assert "Are you sure" not in page
    assert refused("EUR", "2 countries link", "AT Austria, DE Germany") in page
    assert refused("USD", "1 country links", "US United States") in page
    assert "Nothing was deleted." in page
    assert Currency.objects.count() == 3


def test_a_bulk_delete_of_records_no_country_links_to_deletes_them(login, euro_area):
    CurrencyFactory(code="CHF", name="Unused")
    CurrencyFactory(code="GBP", name="Also unused")
    client = login("currencies")

    confirmation = bulk_delete(client, ["CHF", "GBP"]).content.decode()
    done = bulk_delete(client, ["CHF", "GBP"], confirmed=True).content.decode()

    assert "Are you sure" in confirmation
    assert "Successfully deleted 2 currencies." in done
    assert set(Currency.objects.values_list("code", flat=True)) == {"EUR", "USD"}


@pytest.fixture
def countries_down():
    """This process serves currencies and languages; the country service is not listening."""
    url = closed_port_url()
    topology = Topology(service="currencies", service_urls={"countries": url})
    with override_settings(TOPOLOGY=topology):
        yield


def test_a_delete_is_refused_when_the_countries_cannot_be_asked(login, countries_down):
    unused = Currency.objects.create(code="CHF", name="Unused")  # unused, but who can tell?
    client = login("currencies")
    path = f"/admin/currencies/currencies/currency/{unused.pk}/delete/"

    confirmation = client.get(path, follow=True)
    confirmed = client.post(path, {"post": "yes"}, follow=True)

    for page in (confirmation, confirmed):
        assert page.status_code == 200
        assert page.redirect_chain[-1][0].endswith(f"/{unused.pk}/change/")
        assert (
            "Not deleted: which countries link to CHF could not be checked. "
            "The countries department is unavailable: cannot connect."
        ) in page.content.decode()
    assert Currency.objects.filter(code="CHF").exists()


def test_a_bulk_delete_is_refused_when_the_countries_cannot_be_asked(login, countries_down):
    CurrencyFactory(code="CHF", name="Unused")
    CurrencyFactory(code="GBP", name="Also unused")
    client = login("currencies")

    page = bulk_delete(client, ["CHF", "GBP"], confirmed=True).content.decode()

    assert "Not deleted: which countries link to CHF could not be checked" in page
    assert "Nothing was deleted." in page
    assert Currency.objects.count() == 2


@pytest.mark.parametrize(
    ("department", "url", "factory", "fields"),
    [
        ("currencies", "/admin/currencies/currencies/currency/", CurrencyFactory, {}),
        (
            "countries",
            "/admin/countries/countries/country/",
            CountryFactory,
            {"currency_code": "", "language_code": ""},
        ),
    ],
    ids=["currencies", "countries"],
)
def test_the_admin_edits_the_names_per_language_one_box_each(
    login, department, url, factory, fields
):
    record = factory(name="Main", names={"en": "English"})
    client = login(department)
    change = f"{url}{record.pk}/change/"

    form = client.get(change).content.decode()
    saved = client.post(change, {"name": "Main", "names_en": "", "names_de": " Deutsch ", **fields})
    refused = client.post(change, {"name": "Main", "names_de": "Tab\there", **fields})

    assert 'name="names_en" value="English"' in form
    assert "Deutsch</label>" in form  # each box labelled with its language
    assert saved.status_code == 302, saved.content.decode()[:2000]
    record.refresh_from_db()
    assert record.names == {"de": "Deutsch"}
    assert "Control characters are not allowed." in refused.content.decode()
    record.refresh_from_db()
    assert record.names == {"de": "Deutsch"}
    # Written through the service: the record is found by its new name.
    assert record.__class__.objects.filter(search_key__contains="|deutsch|").exists()


def test_the_admin_search_finds_what_the_api_search_finds(login):
    CountryFactory(code="AT", name="Austria", names={"de": "Österreich"})
    CountryFactory(code="DE", name="Germany")
    client = login("countries")

    found = client.get("/admin/countries/countries/country/", {"q": "osterreich"}).content.decode()

    assert "Austria" in found
    assert "Germany" not in found
