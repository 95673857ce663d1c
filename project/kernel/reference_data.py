"""Bookkeeping shared by the departments' reference data loaders."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass
class LoadReport:
    created: int = 0
    linked: int = 0
    named: int = 0  # existing records given the names per language they had none of
    unchanged: int = 0

    def __str__(self):
        if not (self.created or self.linked or self.named):
            return f"nothing to change, {self.unchanged} records already loaded"
        changes = [f"{self.created} created", f"{self.linked} linked"]
        if self.named:
            changes.append(f"{self.named} named")
        return ", ".join(changes) + f", {self.unchanged} unchanged"


@dataclass(frozen=True)
class ReferenceRecord:
    name: str  # the main name (pycountry's)
    names: dict[str, str]  # per language of the site (CLDR's)


def missing_names(record: Any, reference: ReferenceRecord) -> dict[str, str]:
    """The reference names to give an existing record: all of them where it has none of its
    own, else none (what a department chose stays)."""
    return {} if record.names else reference.names


def load_missing(
    references: Mapping[str, ReferenceRecord],
    *,
    existing: Iterable[Any],
    create: Callable[..., object],
    rename: Callable[[Any, dict[str, str]], object],
) -> LoadReport:
    """Create each `code -> reference` record that does not exist yet, and name existing ones
    that have no names per language (by `rename(record, names)`); change nothing else."""
    records = {record.code: record for record in existing}
    report = LoadReport()
    for code, reference in sorted(references.items()):
        record = records.get(code)
        if record is None:
            create(code=code, name=reference.name, names=reference.names)
            report.created += 1
        elif names := missing_names(record, reference):
            rename(record, names)
            report.named += 1
        else:
            report.unchanged += 1
    return report
