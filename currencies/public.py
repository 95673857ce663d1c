"""The currency department's public port: the only module other departments and the portal may
import from here. DTOs, the protocol, and the getter of the configured adapter."""

from collections.abc import Callable
from dataclasses import dataclass

from project.kernel.ports import DepartmentUnavailable, Directory, choose_adapter

__all__ = ["Currency", "CurrencyDirectory", "DepartmentUnavailable", "get_currency_directory"]


@dataclass(frozen=True, slots=True)
class Currency:
    code: str
    name: str


CurrencyDirectory = Directory[Currency]


def get_currency_directory() -> CurrencyDirectory:
    """In-process where this process serves the currency department, else HTTP to its service."""
    from currencies import adapters  # noqa: PLC0415 - the adapters import this module's DTOs

    # Typed as the port, so that mypy checks both adapters against it.
    local: Callable[[], CurrencyDirectory] = adapters.LocalCurrencyDirectory
    remote: Callable[[str], CurrencyDirectory] = adapters.HttpCurrencyDirectory
    return choose_adapter("currencies", local=local, remote=remote)
