"""The language department's public port: the only module other departments and the portal may
import from here. DTOs, the protocol, and the getter of the configured adapter."""

from collections.abc import Callable
from dataclasses import dataclass, field

from project.kernel.events import Event, EventStream
from project.kernel.ports import DepartmentUnavailable, Directory, choose_adapter

__all__ = [
    "LANGUAGE_EVENTS",
    "DepartmentUnavailable",
    "Language",
    "LanguageDirectory",
    "LanguageEvent",
    "get_language_directory",
]


@dataclass(frozen=True, slots=True)
class Language:
    code: str
    name: str
    names: dict[str, str] = field(default_factory=dict)  # per language, see kernel.names


# What the department publishes of every change (see project/kernel/events.py and
# docs/events/language-event.schema.json).
LanguageEvent = Event[Language]
LANGUAGE_EVENTS: EventStream[Language] = EventStream("languages", "language", Language)


LanguageDirectory = Directory[Language]


def get_language_directory(*, live: bool = False) -> LanguageDirectory:
    """In-process where this process serves the language department; else this service's
    replica of it with READ_MODEL=replica, unless `live` (writes check links with the owner);
    else HTTP to its service."""
    from languages import adapters  # noqa: PLC0415 - the adapters import this module's DTOs

    # Typed as the port, so that mypy checks every adapter against it.
    local: Callable[[], LanguageDirectory] = adapters.LocalLanguageDirectory
    remote: Callable[[str], LanguageDirectory] = adapters.HttpLanguageDirectory
    replica: Callable[[], LanguageDirectory] = adapters.ReplicaLanguageDirectory
    return choose_adapter("languages", local=local, remote=remote, replica=replica, live=live)
