"""Which versions of which data an answer was built from, so that a repeat request can be told
"not modified" without building the answer again (see `conditional`).

A source is one department's data as one service reads it: its own records where the service
owns the department (`currencies@currencies`, `currencies@all` in one process), or its replica
of them (`currencies~portal`). Each has a version that grows with every change: the
department's data version (`outbox.DataVersion`), the replica's (`models.ReplicaVersion`).

While an answer is built, each read notes its source's version, read before the data, so that
a change committed meanwhile shows as a newer version next time. A service answering another
says what it read in `X-Data-Versions` (`countries@countries=12;currencies~countries=7`), and
the caller notes that too. A read that could not be made (a department unavailable, an answer
without the header) marks the answer degraded: it gets no tag, since nothing could tell when
it would be whole again.
"""

import functools
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.apps import apps
from django.conf import settings

if TYPE_CHECKING:
    from project.kernel.outbox import DataVersion

HEADER = "X-Data-Versions"
MAX_SOURCES = 16  # more than any answer reads: a longer list is not one of ours

_SOURCE = re.compile(r"([a-z]{1,20})([@~])([a-z]{1,20})")  # department, kind, service
_VERSION = re.compile(r"[0-9]{1,18}")


@dataclass(frozen=True, order=True)
class Source:
    department: str
    service: str
    replica: bool  # the service's replica of the department, not the department's own data

    def __str__(self) -> str:
        return f"{self.department}{'~' if self.replica else '@'}{self.service}"

    @classmethod
    def parse(cls, text: str) -> "Source":
        match = _SOURCE.fullmatch(text)
        if match is None:
            raise ValueError(f"{text!r} names no department's data at a service.")
        department, kind, service = match.groups()
        return cls(department, service, kind == "~")

    @property
    def read_here(self) -> bool:
        """Whether this process holds the data: it is the service, and owns or replicates it."""
        topology = settings.TOPOLOGY
        if self.service != topology.service:
            return False
        if self.replica:
            return self.department in topology.replicated_departments
        return topology.is_local(self.department)


Versions = dict[Source, int]


def format_versions(versions: Mapping[Source, int]) -> str:
    # Semicolons, not commas: the list goes into an ETag, and If-None-Match splits on commas.
    return ";".join(f"{source}={version}" for source, version in sorted(versions.items()))


def parse_versions(text: str) -> Versions:
    """The versions of `format_versions`; ValueError for anything else."""
    if not text:
        return {}
    items = text.split(";")
    if len(items) > MAX_SOURCES:
        raise ValueError(f"At most {MAX_SOURCES} sources.")
    versions: Versions = {}
    for item in items:
        source, _, version = item.partition("=")
        if not _VERSION.fullmatch(version):
            raise ValueError(f"{item!r} is not a source and its version.")
        versions[Source.parse(source)] = int(version)
    return versions


def parse_sources(text: str) -> list[Source]:
    """Sources separated by semicolons, at most MAX_SOURCES, each once; ValueError for
    anything else."""
    items = [item for item in text.split(";") if item]
    if not items or len(items) > MAX_SOURCES:
        raise ValueError(f"Name 1 to {MAX_SOURCES} sources, separated by semicolons.")
    return list(dict.fromkeys(Source.parse(item) for item in items))


def local_version(source: Source) -> int:
    """The version now of a source this process holds (`Source.read_here`)."""
    from project.kernel.models import ReplicaVersion, read_version  # noqa: PLC0415 - needs apps

    if source.replica:
        return read_version(ReplicaVersion, "department", source.department)
    return _data_version_of(source.department).current()


@functools.cache
def _data_version_of(department: str) -> "type[DataVersion]":
    from project.kernel.outbox import DataVersion  # noqa: PLC0415 - models need the registry

    (model,) = [
        model
        for model in apps.get_app_config(department).get_models()
        if issubclass(model, DataVersion)
    ]
    return model


class Reads:
    """What one answer read: the oldest version noted of each source, and whether any read
    failed. Shared by the threads the answer's port calls run on."""

    def __init__(self) -> None:
        self.versions: Versions = {}
        self.degraded = False
        self._lock = threading.Lock()

    def note(self, source: Source, version: int) -> None:
        with self._lock:
            self.versions[source] = min(version, self.versions.get(source, version))

    def noted(self, source: Source) -> bool:
        with self._lock:
            return source in self.versions


_reads: ContextVar[Reads | None] = ContextVar("data_reads", default=None)


@contextmanager
def recording() -> Iterator[Reads]:
    """Note the reads made inside the block (on this thread and the port calls it starts)."""
    reads = Reads()
    token = _reads.set(reads)
    try:
        yield reads
    finally:
        _reads.reset(token)


def note_owner_read(department: str) -> None:
    """About to read `department`'s own data, in this process."""
    reads = _reads.get()
    if reads is None:  # a read outside a conditional answer (the admin, the v1 API)
        return
    source = Source(department, settings.TOPOLOGY.service, replica=False)
    if not reads.noted(source):  # once per answer: one query
        reads.note(source, local_version(source))


def note_replica_read(department: str, version: int) -> None:
    """About to read this service's replica of `department`, whose version the reader has
    just read (with the replica's age, in one statement)."""
    reads = _reads.get()
    if reads is not None:
        reads.note(Source(department, settings.TOPOLOGY.service, replica=True), version)


def note_answer(header: str | None) -> None:
    """Another service answered, with what it read in `header` (or nothing known)."""
    reads = _reads.get()
    if reads is None:
        return
    try:
        versions = parse_versions(header) if header is not None else None
    except ValueError:
        versions = None
    if versions is None:
        reads.degraded = True
        return
    for source, version in versions.items():
        reads.note(source, version)


def mark_degraded() -> None:
    """A read could not be made: the answer is not whole."""
    reads = _reads.get()
    if reads is not None:
        reads.degraded = True


def by_service(sources: Iterable[Source]) -> dict[str, list[Source]]:
    grouped: dict[str, list[Source]] = {}
    for source in sorted(sources):
        grouped.setdefault(source.service, []).append(source)
    return grouped
