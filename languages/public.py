"""The language department's public port: the only module other departments and the portal may
import from here. DTOs, the protocol, and the getter of the configured adapter."""

from collections.abc import Callable
from dataclasses import dataclass

from project.kernel.ports import DepartmentUnavailable, Directory, choose_adapter

__all__ = ["DepartmentUnavailable", "Language", "LanguageDirectory", "get_language_directory"]


@dataclass(frozen=True, slots=True)
class Language:
    code: str
    name: str


LanguageDirectory = Directory[Language]


def get_language_directory() -> LanguageDirectory:
    """In-process where this process serves the language department, else HTTP to its service."""
    from languages import adapters  # noqa: PLC0415 - the adapters import this module's DTOs

    # Typed as the port, so that mypy checks both adapters against it.
    local: Callable[[], LanguageDirectory] = adapters.LocalLanguageDirectory
    remote: Callable[[str], LanguageDirectory] = adapters.HttpLanguageDirectory
    return choose_adapter("languages", local=local, remote=remote)
