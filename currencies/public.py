"""The currency department's public port: the only module other departments may import."""

from dataclasses import dataclass

from project.directories import record_directory
from project.ports import DepartmentUnavailable, Directory

__all__ = ["Currency", "CurrencyDirectory", "DepartmentUnavailable", "get_currency_directory"]


@dataclass(frozen=True, slots=True)
class Currency:
    code: str
    name: str


CurrencyDirectory = Directory[Currency]


def get_currency_directory() -> CurrencyDirectory:
    return record_directory("currencies", Currency, "currencies.selectors.currency_list")
