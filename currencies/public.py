"""The currency department's public port: the only module other departments and the portal may
import from here. DTOs, the protocol, and the getter of the configured adapter."""

from collections.abc import Callable
from dataclasses import dataclass, field

from project.kernel.events import Event, EventStream
from project.kernel.ports import DepartmentUnavailable, Directory, choose_adapter

__all__ = [
    "CURRENCY_EVENTS",
    "Currency",
    "CurrencyDirectory",
    "CurrencyEvent",
    "DepartmentUnavailable",
    "get_currency_directory",
]


@dataclass(frozen=True, slots=True)
class Currency:
    code: str
    name: str
    names: dict[str, str] = field(default_factory=dict)  # per language, see kernel.names


# What the department publishes of every change (see project/kernel/events.py and
# docs/events/currency-event.schema.json).
CurrencyEvent = Event[Currency]
CURRENCY_EVENTS: EventStream[Currency] = EventStream("currencies", "currency", Currency)


CurrencyDirectory = Directory[Currency]


def get_currency_directory(*, live: bool = False) -> CurrencyDirectory:
    """In-process where this process serves the currency department; else this service's
    replica of it with READ_MODEL=replica, unless `live` (writes check links with the owner);
    else HTTP to its service."""
    from currencies import adapters  # noqa: PLC0415 - the adapters import this module's DTOs

    # Typed as the port, so that mypy checks every adapter against it.
    local: Callable[[], CurrencyDirectory] = adapters.LocalCurrencyDirectory
    remote: Callable[[str], CurrencyDirectory] = adapters.HttpCurrencyDirectory
    replica: Callable[[], CurrencyDirectory] = adapters.ReplicaCurrencyDirectory
    return choose_adapter("currencies", local=local, remote=remote, replica=replica, live=live)
