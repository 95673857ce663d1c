"""Bookkeeping shared by the departments' reference data loaders."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass


@dataclass
class LoadReport:
    created: int = 0
    linked: int = 0
    unchanged: int = 0

    def __str__(self):
        if not (self.created or self.linked):
            return f"nothing to change, {self.unchanged} records already loaded"
        return f"{self.created} created, {self.linked} linked, {self.unchanged} unchanged"


def create_missing(
    records: Mapping[str, str], *, existing_codes: Iterable[str], create: Callable[..., object]
) -> LoadReport:
    """Create each `code -> name` record that does not exist yet; never touch existing ones."""
    existing = set(existing_codes)
    report = LoadReport()
    for code, name in sorted(records.items()):
        if code in existing:
            report.unchanged += 1
        else:
            create(code=code, name=name)
            report.created += 1
    return report
