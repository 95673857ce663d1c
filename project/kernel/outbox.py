"""The transactional outbox: every change a department's services make is written to the
department's outbox, in its own schema and in the same transaction as the change. A rolled-back
change leaves no event, a committed one always has one. The relay (`manage.py run_events`)
publishes the outbox later, in order.

An event's version is its row's number in the department's event sequence. The row lock of a
change is held until its event is written, so the versions of one record grow in the order its
changes were committed.
"""

import json
import uuid
from typing import Any, ClassVar, Literal, Self

from django.db import connections, migrations, models, transaction
from django.utils import timezone

from project.kernel import tracing
from project.kernel.events import EventStream
from project.kernel.models import raise_version, read_version

Change = Literal["created", "updated", "deleted"]


SINGLE_ROW = 1


def channel(department: str) -> str:
    """Where PostgreSQL announces the commit of `department`'s events (`outbox_wakeup`)."""
    return f"outbox_{department}"


class DataVersion(models.Model):
    """How many changes a department has committed: one row, raised in the transaction of each
    change, so that one query tells whether anything changed since an answer was built from the
    department's data (see `data_versions`). Abstract, like the outbox: each department keeps
    its own in its own schema."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLE_ROW, editable=False)
    version = models.BigIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"v{self.version}"

    @classmethod
    def current(cls) -> int:
        """The version now; 0 before the first change."""
        return read_version(cls, "id", SINGLE_ROW)


class OutboxEvent(models.Model):
    """A department's outbox: abstract, so that each department keeps its own table in its own
    schema. A subclass names its stream, the model whose changes it holds and the department's
    data version: `stream = CURRENCY_EVENTS`, `records = Currency`,
    `versions = CurrencyDataVersion`."""

    stream: ClassVar[EventStream]
    records: ClassVar[type[models.Model]]
    versions: ClassVar[type[DataVersion]]

    version = models.BigAutoField(primary_key=True)  # never reused, also after pruning
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(max_length=40)
    code = models.CharField(max_length=3)
    state = models.JSONField(null=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, db_index=True)
    # The W3C traceparent of the request that made the change, if it was traced: published as
    # a header, so that a reader's span can link to it.
    trace_parent = models.CharField(max_length=55, blank=True, default="")

    class Meta:
        abstract = True
        ordering = ["version"]

    def __str__(self) -> str:
        return f"{self.version} {self.type} {self.code}"

    @classmethod
    def event_for(cls, change: Change, row: models.Model) -> Self:
        """The event of `change` to `row`, not saved yet."""
        stream = cls.stream
        state = None if change == "deleted" else {f: getattr(row, f) for f in stream.state_fields}
        return cls(
            type=f"{stream.record_type}.{change}",
            code=row.serializable_value("code"),
            state=state,
            trace_parent=tracing.current_traceparent(),
        )

    @classmethod
    def record(cls, change: Change, row: models.Model, *, using: str) -> Self:
        """Write the event of `change` to `row` and raise the department's data version; inside
        the transaction of the change."""
        event = cls.event_for(change, row)
        event.save(using=using, force_insert=True)
        raise_version(cls.versions, using=using, pk=SINGLE_ROW)
        connection = connections[using]
        if connection.vendor == "postgresql":  # delivered at commit, never for a rollback
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_notify(%s, '')", [channel(cls.stream.department)])
        return event

    @classmethod
    def announce_every_record(cls, *, using: str) -> int:
        """Write a `created` event of every record as it is now, for a stream made anew: a
        replica rebuilt from it then has every record, also those unchanged for longer than the
        outbox keeps its events. Each row stays locked until its event is written, as for a
        change, so no change committed meanwhile has an older version than this state."""
        with transaction.atomic(using=using):
            rows = cls.records._default_manager.using(using).select_for_update().order_by("code")
            events = [cls.event_for("created", row) for row in rows]
            cls._default_manager.using(using).bulk_create(events)
        return len(events)

    def message(self) -> bytes:
        """The event as published: see the schemas in docs/events/."""
        body: dict[str, Any] = {
            "id": str(self.event_id),
            "type": self.type,
            "code": self.code,
            "version": self.version,
            "occurred_at": self.occurred_at.isoformat(),
            "state": self.state,
        }
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def record_existing_operation(
    *, app_label: str, model: str, outbox: str, record_type: str, fields: tuple[str, ...]
) -> migrations.RunPython:
    """A migration step giving every row that exists before its department had an outbox a
    `created` event, so that the others learn of it like of any record created later."""

    def record_existing(apps: Any, schema_editor: Any) -> None:
        alias = schema_editor.connection.alias
        rows = apps.get_model(app_label, model).objects.using(alias).order_by("code")
        apps.get_model(app_label, outbox).objects.using(alias).bulk_create(
            apps.get_model(app_label, outbox)(
                type=f"{record_type}.created",
                code=row.code,
                state={field: getattr(row, field) for field in fields},
            )
            for row in rows.iterator()
        )

    return migrations.RunPython(record_existing, migrations.RunPython.noop)
