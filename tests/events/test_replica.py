"""A replica applies events by version: repeated, late and reordered events all end in the
newest state, and a deletion is not undone by an older event."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from currencies.adapters import ReplicaCurrencyDirectory
from currencies.public import Currency, CurrencyEvent, DepartmentUnavailable
from project.kernel import data_versions
from project.kernel.models import ReplicaRecord, ReplicaVersion
from project.kernel.replica import apply_events, held, replica_is_empty
from tests.countries.test_scale import synthetic_codes

pytestmark = pytest.mark.django_db(databases="__all__")

START = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def event(version: int, name: str | None, code: str = "EUR") -> CurrencyEvent:
    change = "deleted" if name is None else "updated"
    return CurrencyEvent(
        id=f"event-{version}",
        type=f"currency.{change}",
        code=code,
        version=version,
        occurred_at=START + timedelta(seconds=version),
        record=None if name is None else Currency(code=code, name=name),
    )


def replica() -> list[Currency]:
    return list(ReplicaCurrencyDirectory().list_all())


def test_events_in_order_end_in_the_newest_state():
    assert apply_events("currencies", [event(1, "Euro"), event(2, "Euro (EU)")]) == 2
    assert replica() == [Currency("EUR", "Euro (EU)")]


def test_an_older_event_after_a_newer_one_changes_nothing():
    apply_events("currencies", [event(5, "Newest")])
    assert apply_events("currencies", [event(3, "Older"), event(4, "Old")]) == 0
    assert replica() == [Currency("EUR", "Newest")]


def test_a_repeated_event_changes_nothing():
    apply_events("currencies", [event(1, "Euro")])
    assert apply_events("currencies", [event(1, "Euro"), event(1, "Euro")]) == 0
    assert ReplicaRecord.objects.count() == 1


def test_the_replica_version_grows_by_the_changes_applied():
    """What an answer read from the replica is tagged with (project/kernel/conditional.py)."""
    assert apply_events("currencies", [event(3, "Euro"), event(4, "Franc", code="CHF")]) == 2
    # Repeated and older events change nothing, and leave the version.
    assert apply_events("currencies", [event(3, "Euro"), event(2, "Old euro")]) == 0
    assert apply_events("currencies", [event(5, "Euro (EU)")]) == 1

    assert ReplicaVersion.objects.get(department="currencies").version == 3


def test_a_deletion_is_kept_against_older_events_and_undone_only_by_newer_ones():
    apply_events("currencies", [event(1, "Euro"), event(2, None)])
    apply_events("currencies", [event(1, "Euro")])  # redelivered late
    assert replica() == []
    assert ReplicaCurrencyDirectory().get_many(["EUR"]) == {}
    apply_events("currencies", [event(3, "Euro again")])  # created anew
    assert replica() == [Currency("EUR", "Euro again")]


def test_the_replica_answers_any_letter_case_and_says_how_old_it_is():
    apply_events("currencies", [event(7, "Euro"), event(9, "Dollar", code="USD")])
    directory = ReplicaCurrencyDirectory()
    assert directory.get_many(["eur", "Usd", "x,y"]) == {
        "EUR": Currency("EUR", "Euro"),
        "USD": Currency("USD", "Dollar"),
    }
    assert directory.count() == 2
    assert held("currencies").as_of == START + timedelta(seconds=9)


def test_an_empty_replica_is_one_with_no_records_of_the_department():
    assert replica_is_empty("currencies")
    apply_events("currencies", [event(1, "Euro")])
    assert not replica_is_empty("currencies")
    assert replica_is_empty("languages")


def test_a_replica_that_has_heard_nothing_yet_is_unavailable_not_empty():
    with pytest.raises(DepartmentUnavailable, match="no data yet"):
        ReplicaCurrencyDirectory().list_all()
    with pytest.raises(DepartmentUnavailable):
        ReplicaCurrencyDirectory().count()
    apply_events("currencies", [event(1, "Euro"), event(2, None)])
    assert ReplicaCurrencyDirectory().count() == 0  # heard of, and deleted


def test_a_replica_emptied_to_be_rebuilt_is_unavailable_again_until_it_hears_anew():
    """Its version row stays (`DELETE FROM kernel_replicarecord`, as the README says): what it
    holds is read from the records."""
    apply_events("currencies", [event(1, "Euro")])
    ReplicaRecord.objects.all().delete()
    with pytest.raises(DepartmentUnavailable, match="no data yet"):
        ReplicaCurrencyDirectory().count()
    assert held("currencies").as_of is None
    apply_events("currencies", [event(2, "Euro")])
    assert ReplicaCurrencyDirectory().count() == 1


def test_a_read_of_the_replica_is_one_statement_for_what_it_holds_and_one_for_the_records(
    django_assert_num_queries,
):
    apply_events("currencies", [event(1, "Euro"), event(2, "Dollar", code="USD"), event(3, None)])
    directory = ReplicaCurrencyDirectory()
    with django_assert_num_queries(1):
        assert directory.count() == 1
    with django_assert_num_queries(2):
        assert directory.get_many(["EUR", "USD"]) == {"USD": Currency("USD", "Dollar")}


def test_the_version_an_answer_read_a_replica_at_is_noted_from_the_same_statement(
    settings, django_assert_num_queries
):
    apply_events("currencies", [event(1, "Euro"), event(2, "Franc", code="CHF")])
    with data_versions.recording() as reads, django_assert_num_queries(2):
        ReplicaCurrencyDirectory().list_all()
    replica = data_versions.Source("currencies", settings.TOPOLOGY.service, replica=True)
    assert reads.versions == {replica: 2}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the array binding is PostgreSQL's")
def test_a_batch_of_codes_is_bound_as_one_array_on_postgresql():
    apply_events("currencies", [event(1, "Euro")])
    wanted = ["EUR", *(f"Q{first}{second}" for first in "ABCDEFGHIJ" for second in "ABCDEFGHIJ")]
    with CaptureQueriesContext(connection) as captured:
        assert list(ReplicaCurrencyDirectory().get_many(wanted)) == ["EUR"]
    records = captured.captured_queries[-1]["sql"]
    assert "= ANY(" in records and " IN (" not in records, records


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's query plans")
def test_a_read_of_a_large_replica_learns_its_age_from_the_index_and_counts_only_when_asked():
    """The portal's replica of 25,000 countries: a country's page reads one record."""
    rows = [
        ReplicaRecord(
            department="countries", code=code, key=code, state={"code": code}, version=1,
            changed_at=START + timedelta(seconds=number),
        )
        for number, code in enumerate(synthetic_codes(25_000))
    ]  # fmt: skip
    ReplicaRecord.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE kernel_replicarecord")

    def planned(counted: bool) -> str:
        with CaptureQueriesContext(connection) as captured:
            found = held("countries", counted=counted)
        assert found.as_of == START + timedelta(seconds=24_999)
        assert found.records == (25_000 if counted else None)
        (statement,) = captured.captured_queries
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {statement['sql']}")
            return "\n".join(line for (line,) in cursor.fetchall())

    read = planned(counted=False)
    assert "replica_changed_idx" in read and "Seq Scan on kernel_replicarecord" not in read, read
    planned(counted=True)
