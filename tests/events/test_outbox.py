"""Every change a department's services make leaves exactly one event in the department's
outbox, written in the change's own transaction, with the record's full state after it."""

import json
import threading
import uuid
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, connections, router, transaction
from django.utils import timezone

from countries.models import Country, CountryOutbox
from countries.public import COUNTRY_EVENTS
from countries.public import Country as CountryDTO
from countries.services import country_create, country_delete, country_update
from currencies.models import Currency, CurrencyOutbox
from currencies.public import CURRENCY_EVENTS
from currencies.public import Currency as CurrencyDTO
from currencies.services import currency_create, currency_delete, currency_update
from languages.models import LanguageOutbox
from languages.public import LANGUAGE_EVENTS
from languages.services import language_create, language_delete, language_update
from project.kernel import relay as relay_module
from project.kernel.outbox import OutboxEvent, record_existing_operation
from tests.events.schemas import assert_published_as_documented, event_schema
from tests.factories import CountryFactory, CurrencyFactory, LanguageFactory

pytestmark = pytest.mark.django_db(databases="__all__")


def events(outbox: type[OutboxEvent]) -> list[tuple[str, str, dict | None]]:
    return [(e.type, e.code, e.state) for e in outbox._default_manager.order_by("version")]


def test_create_update_and_delete_each_write_one_event_with_the_state_after_the_change():
    currency = currency_create(code="eur", name="Euro")
    currency_update(currency=currency, name="Euro (EU)")
    currency_delete(currency=Currency.objects.get(code="EUR"))
    assert events(CurrencyOutbox) == [
        ("currency.created", "EUR", {"code": "EUR", "name": "Euro", "names": {}}),
        ("currency.updated", "EUR", {"code": "EUR", "name": "Euro (EU)", "names": {}}),
        ("currency.deleted", "EUR", None),
    ]


def test_languages_write_their_events_too():
    language = language_create(code="DE", name="German")
    language_update(language=language, name="Deutsch")
    language_delete(language=language)
    assert [(type_, code) for type_, code, _ in events(LanguageOutbox)] == [
        ("language.created", "de"),
        ("language.updated", "de"),
        ("language.deleted", "de"),
    ]


def test_a_country_event_holds_every_field_also_those_the_update_did_not_touch():
    CurrencyFactory(code="EUR")
    LanguageFactory(code="de")
    country = country_create(code="DE", name="Germany", currency_code="EUR", language_code="de")
    # Another request changed the name meanwhile; this one only unlinks the language.
    Country.objects.filter(code="DE").update(name="Deutschland")
    country_update(country=country, language_code=None)
    assert events(CountryOutbox)[-1] == (
        "country.updated",
        "DE",
        {
            "code": "DE",
            "name": "Deutschland",
            "names": {},
            "currency_code": "EUR",
            "language_code": None,
        },
    )
    assert country.name == "Deutschland"  # the row answered is the state after the change


def test_the_versions_of_a_record_grow_with_each_change():
    currency = currency_create(code="EUR", name="Euro")
    for name in ("Euro 1", "Euro 2", "Euro 3"):
        currency_update(currency=currency, name=name)
    versions = list(CurrencyOutbox.objects.filter(code="EUR").values_list("version", flat=True))
    assert versions == sorted(versions) and len(set(versions)) == 4


def test_a_change_that_changes_nothing_tells_nothing():
    currency = currency_create(code="EUR", name="Euro")
    currency_update(currency=currency)
    country = country_create(code="DE", name="Germany")
    country_update(country=country)
    assert CurrencyOutbox.objects.count() == CountryOutbox.objects.count() == 1


def test_a_rolled_back_change_leaves_no_event():
    with pytest.raises(RuntimeError), transaction.atomic(using=router.db_for_write(Currency)):
        currency_create(code="EUR", name="Euro")
        raise RuntimeError("the caller's transaction fails after the change")
    assert not Currency.objects.exists()
    assert events(CurrencyOutbox) == []


@pytest.mark.parametrize(
    "refused",
    [
        lambda: currency_create(code="EUR", name="Duplicate"),
        lambda: currency_create(code="E1", name="Bad code"),
        lambda: country_create(code="DE", name="Germany", currency_code="XXX"),
    ],
    ids=["duplicate code", "invalid code", "unknown link"],
)
def test_a_refused_change_leaves_no_event(refused):
    currency_create(code="EUR", name="Euro")
    with pytest.raises(ValidationError):
        refused()
    assert len(events(CurrencyOutbox)) == 1
    assert events(CountryOutbox) == []


def test_a_deletion_in_the_admin_goes_through_the_service_and_tells_the_others(client):
    from django.contrib.auth import get_user_model  # noqa: PLC0415

    CurrencyFactory(code="EUR")
    CurrencyFactory(code="USD")
    admin = get_user_model().objects.create_superuser("root", password="pw-for-the-test")
    client.force_login(admin)
    answer = client.post(
        "/admin/currencies/currencies/currency/",
        {
            "action": "delete_selected",
            "_selected_action": list(Currency.objects.values_list("pk", flat=True)),
            "post": "yes",
        },
    )
    assert answer.status_code == 302
    assert not Currency.objects.exists()
    assert sorted(events(CurrencyOutbox)) == [
        ("currency.deleted", "EUR", None),
        ("currency.deleted", "USD", None),
    ]


def test_what_an_event_says_is_what_its_schema_documents_and_what_the_port_reads():
    CurrencyFactory(code="EUR")
    LanguageFactory(code="de")
    country = country_create(code="DE", name="Germany", currency_code="EUR", language_code="de")
    country_delete(country=country)
    currency_create(code="CHF", name="Swiss franc")
    language_create(code="fr", name="French")
    for stream, outbox in (
        (COUNTRY_EVENTS, CountryOutbox),
        (CURRENCY_EVENTS, CurrencyOutbox),
        (LANGUAGE_EVENTS, LanguageOutbox),
    ):
        for row in outbox.objects.all():
            assert_published_as_documented(stream, row.message())
            event = stream.decode(row.message())
            assert (event.id, event.version, event.occurred_at) == (
                str(row.event_id),
                row.version,
                row.occurred_at,
            )
    created, deleted = (COUNTRY_EVENTS.decode(row.message()) for row in CountryOutbox.objects.all())
    assert created.record == CountryDTO("DE", "Germany", "EUR", "de")
    assert (deleted.type, deleted.record) == ("country.deleted", None)
    assert CURRENCY_EVENTS.decode(CurrencyOutbox.objects.get().message()).record == CurrencyDTO(
        "CHF", "Swiss franc"
    )


def test_the_schema_refuses_what_no_department_publishes():
    good = {
        "id": str(uuid.uuid4()),
        "type": "currency.updated",
        "code": "EUR",
        "version": 3,
        "occurred_at": "2026-12-01T12:00:00+00:00",
        "state": {"code": "EUR", "name": "Euro", "names": {}},
    }
    schema = event_schema(CURRENCY_EVENTS)
    assert schema.is_valid(good)
    for bad in (
        {**good, "type": "currency.renamed"},
        {**good, "version": 0},
        {**good, "state": {"code": "EUR"}},
        {**good, "id": "not-a-uuid"},
        {key: value for key, value in good.items() if key != "occurred_at"},
    ):
        assert not schema.is_valid(bad), json.dumps(bad)


def test_rows_that_existed_before_the_outbox_get_a_created_event():
    CountryFactory(code="DE", name="Germany", currency_code="EUR", language_code=None)
    operation = record_existing_operation(
        app_label="countries",
        model="country",
        outbox="countryoutbox",
        record_type="country",
        fields=("code", "name", "currency_code", "language_code"),
    )

    class Editor:  # what the operation reads of a schema editor
        connection = connections[router.db_for_write(Country)]

    operation.code(apps, Editor())  # type: ignore[arg-type]
    assert events(CountryOutbox) == [
        (
            "country.created",
            "DE",
            {"code": "DE", "name": "Germany", "currency_code": "EUR", "language_code": None},
        )
    ]


@pytest.mark.django_db(transaction=True, databases="__all__")
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs concurrent writers; SQLite's in-memory test databases lock whole tables",
)
def test_concurrent_changes_of_one_country_end_with_an_event_of_its_final_state():
    for code in ("EUR", "USD"):
        CurrencyFactory(code=code)
    for code in ("de", "en"):
        LanguageFactory(code=code)
    country_create(code="DE", name="Germany")
    start = threading.Barrier(8, timeout=30)

    def change(index: int) -> None:
        try:
            start.wait()
            country = Country.objects.get(code="DE")
            if index % 2:
                country_update(country=country, name=f"Germany {index}")
            else:
                country_update(
                    country=country,
                    currency_code=("EUR", "USD")[index % 4 // 2],
                    language_code=("de", "en")[index % 4 // 2],
                )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=change, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    final = Country.objects.get(code="DE")
    newest = CountryOutbox.objects.order_by("version").last()
    assert newest is not None
    assert newest.state == {
        "code": "DE",
        "name": final.name,
        "names": final.names,
        "currency_code": final.currency_code,
        "language_code": final.language_code,
    }
    assert CountryOutbox.objects.count() == 9


# The worker's database steps start as a request does, closing an obsolete connection: not
# inside a test's transaction.
@pytest.mark.django_db(transaction=True, databases="__all__")
def test_the_relay_prunes_sent_events_after_the_retention_period_only(settings):
    settings.OUTBOX_RETENTION_HOURS = 24
    for code in ("EUR", "USD", "CHF"):
        currency_create(code=code, name=code)
    old, recent, _unsent = CurrencyOutbox.objects.order_by("version")
    CurrencyOutbox.objects.filter(pk=old.pk).update(
        published_at=timezone.now() - timedelta(hours=25)
    )
    CurrencyOutbox.objects.filter(pk=recent.pk).update(
        published_at=timezone.now() - timedelta(hours=23)
    )

    assert async_to_sync(relay_module._prune)(CurrencyOutbox) == 1
    assert list(CurrencyOutbox.objects.values_list("code", flat=True)) == ["USD", "CHF"]


def test_deleting_a_row_that_is_gone_already_tells_nothing():
    stale = currency_create(code="EUR", name="Euro")
    Currency.objects.filter(pk=stale.pk).delete()  # deleted meanwhile...
    currency_create(code="EUR", name="Euro again")  # ...and created anew
    currency_delete(currency=stale)
    assert [type_ for type_, _, _ in events(CurrencyOutbox)] == [
        "currency.created",
        "currency.created",
    ]
    assert Currency.objects.get(code="EUR").name == "Euro again"
