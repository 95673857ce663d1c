"""A service's local copy of what it reads from other departments, fed by their events.

Events are applied by version: an event older than (or as old as) what the replica holds
changes nothing, so redelivered, repeated and reordered events all end in the newest state. A
deletion stays as a tombstone with its version, so that an older event cannot bring the record
back. `ReplicaDirectory` answers a department's port from the copy, as of the newest change it
has applied (`Held.as_of`).
"""

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Generic

from django.db import IntegrityError, connections, transaction
from django.db.models import QuerySet
from django.utils import timezone

from project.kernel import data_versions, staleness
from project.kernel.events import Event, EventStream
from project.kernel.fields import code_shaped
from project.kernel.models import ReplicaRecord, ReplicaVersion, raise_version
from project.kernel.ports import DTO, DepartmentUnavailable, database_errors_as_unavailable

ALIAS = "default"


def _apply(department: str, event: Event) -> bool:
    record = event.record
    values = {
        "code": event.code,
        "state": None if record is None else dataclasses.asdict(record),
        "version": event.version,
        "changed_at": event.occurred_at,
    }
    rows = ReplicaRecord.objects.using(ALIAS).filter(department=department, key=event.code.upper())
    if rows.filter(version__lt=event.version).update(**values):
        return True
    if rows.exists():
        return False  # the replica holds this version or a newer one
    try:
        with transaction.atomic(using=ALIAS):
            ReplicaRecord.objects.using(ALIAS).create(
                department=department, key=event.code.upper(), **values
            )
    except IntegrityError:  # another worker created it meanwhile: compare with its version
        return _apply(department, event)
    return True


def apply_events(department: str, events: Iterable[Event]) -> int:
    """Apply `events` of `department` in one transaction; how many changed the replica. The
    replica's version grows by that many in the same transaction."""
    with transaction.atomic(using=ALIAS):
        changed = sum(_apply(department, event) for event in events)
        if changed:
            raise_version(ReplicaVersion, using=ALIAS, by=changed, department=department)
        return changed


def replica_is_empty(department: str) -> bool:
    return not ReplicaRecord.objects.using(ALIAS).filter(department=department).exists()


@dataclasses.dataclass(frozen=True)
class Held:
    """What a replica of one department holds, read in one statement."""

    version: int  # of the replica (`ReplicaVersion`): 0 before it applied anything
    as_of: datetime | None  # when the owner made the newest change applied; None: none yet
    records: int | None  # not deleted; None where not counted


def held(department: str, *, counted: bool = False) -> Held:
    """Plain SQL, on every read of a replica: the ORM's compiling of an aggregate and a count
    cost several times what the statement itself does. The version and the age come from
    indexes; the records are counted only where asked (`counted`), as a count reads every
    record of the department."""
    connection = connections[ALIAS]
    quote = connection.ops.quote_name
    records, versions = (quote(m._meta.db_table) for m in (ReplicaRecord, ReplicaVersion))
    where = f"WHERE {quote('department')} = %s"
    columns = [
        f"(SELECT {quote('version')} FROM {versions} {where})",
        f"(SELECT MAX({quote('changed_at')}) FROM {records} {where})",
    ]
    if counted:
        columns.append(f"(SELECT COUNT({quote('state')}) FROM {records} {where})")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)}", [department] * len(columns))
        version, changed_at, *count = cursor.fetchone()
    # SQLite answers an aggregate's time as text, in UTC (as Django stores it there).
    as_of = ReplicaRecord._meta.get_field("changed_at").to_python(changed_at)
    if as_of is not None and timezone.is_naive(as_of):
        as_of = timezone.make_aware(as_of, UTC)
    return Held(version=version or 0, as_of=as_of, records=count[0] if count else None)


class ReplicaDirectory(Generic[DTO]):
    """A department's port answered from this service's replica of it."""

    def __init__(self, stream: EventStream[DTO]):
        self._department = stream.department
        self._dto = stream.dto

    def _records(self) -> QuerySet[ReplicaRecord]:
        return ReplicaRecord.objects.using(ALIAS).filter(
            department=self._department, state__isnull=False
        )

    def _caught_up(self, *, counted: bool = False) -> Held:
        """What the replica holds, its version and age noted, read before the records (an
        answer never claims to be newer than it is). A replica that has heard nothing yet (a
        service just started, a replica emptied to be rebuilt) is not an empty department but
        one that cannot be read yet."""
        now = held(self._department, counted=counted)
        data_versions.note_replica_read(self._department, now.version)
        if now.as_of is None:
            raise DepartmentUnavailable(self._department, "its replica here has no data yet")
        staleness.note(now.as_of)
        return now

    def _read(self, records: QuerySet[ReplicaRecord]) -> list[DTO]:
        self._caught_up()
        states = records.order_by("code").values_list("state", flat=True)
        return [self._dto(**state) for state in states if state is not None]

    def get_many(self, codes: Iterable[str]) -> dict[str, DTO]:
        keys = [code.upper() for code in code_shaped(codes)]
        if not keys:
            return {}
        with database_errors_as_unavailable(self._department):
            return {dto.code: dto for dto in self._read(self._records().filter(key__in=keys))}

    def list_all(self) -> Sequence[DTO]:
        with database_errors_as_unavailable(self._department):
            return self._read(self._records())

    def count(self) -> int:
        with database_errors_as_unavailable(self._department):
            records = self._caught_up(counted=True).records
            assert records is not None  # counted
            return records
