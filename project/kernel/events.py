"""Events: what a department tells the others about its records, part of each department's
public contract. `public.py` names the department's `EventStream`; `docs/events/` holds the JSON
Schema of what is published; `outbox` says how an event is written.

An event carries the record's full state after the change (None once deleted) and a version
that grows with every change of the record: the newest version is the record's current state.
"""

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Generic

from project.kernel.ports import DTO


@dataclass(frozen=True)
class Event(Generic[DTO]):
    """One change of one record, as published."""

    id: str
    type: str  # "currency.updated"
    code: str
    version: int
    occurred_at: datetime
    record: DTO | None  # the state after the change; None once deleted


@dataclass(frozen=True)
class EventStream(Generic[DTO]):
    """A department's events: JetStream stream `CURRENCIES` with a subject per record,
    `currencies.currency.EUR`, of which the stream keeps the newest event. Reading the stream
    from its start gives the current state of every record, deleted ones as tombstones."""

    department: str  # "currencies"
    record_type: str  # "currency"
    dto: type[DTO]

    @property
    def name(self) -> str:
        return self.department.upper()

    @property
    def subjects(self) -> str:
        return f"{self.department}.>"

    def subject(self, code: str) -> str:
        return f"{self.department}.{self.record_type}.{code}"

    @property
    def state_fields(self) -> tuple[str, ...]:
        return tuple(field.name for field in dataclasses.fields(self.dto))  # type: ignore[arg-type]

    def decode(self, data: bytes) -> Event[DTO]:
        """The event in `data`; ValueError, KeyError or TypeError if it is not one. A tolerant
        reader: state fields this version does not know (a newer producer's, during a rolling
        update) are left out; a field the DTO needs and does not get is an error."""
        message = json.loads(data)
        state = message["state"]
        occurred_at = datetime.fromisoformat(message["occurred_at"])
        if occurred_at.tzinfo is None:
            raise ValueError(f"occurred_at {message['occurred_at']!r} names no time zone")
        return Event(
            id=message["id"],
            type=message["type"],
            code=message["code"],
            version=message["version"],
            occurred_at=occurred_at,
            record=self._record(state) if state is not None else None,
        )

    def _record(self, state: dict) -> DTO:
        return self.dto(**{name: state[name] for name in self.state_fields if name in state})
