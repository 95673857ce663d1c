"""What every public port shares: the error that crosses a department's door, and adapters.

A department's `public.py` defines its DTOs and picks an adapter: in-process when this process
serves the department, HTTP otherwise. Callers never choose.
"""

import contextvars
import inspect
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Generic, Protocol, TypeVar

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.db.models import QuerySet

from project.kernel import data_versions

T = TypeVar("T")


class Coded(Protocol):
    """What every DTO of a department's records has: the code it is stored under."""

    @property
    def code(self) -> str: ...


DTO = TypeVar("DTO", bound=Coded)
DTO_co = TypeVar("DTO_co", bound=Coded, covariant=True)


class DepartmentUnavailable(Exception):
    """The department could not be reached or did not answer in time."""

    def __init__(self, department: str, reason: str = ""):
        self.department = department
        self.reason = reason
        super().__init__(
            f"The {department} department is unavailable{': ' if reason else ''}{reason}."
        )
        # Here, not where it is caught: a page that shows what it has without this department
        # is not whole, and must not be tagged as if it were.
        data_versions.mark_degraded()


class Directory(Protocol[DTO_co]):
    """Read access to a department's records by code."""

    def get_many(self, codes: Iterable[str]) -> Mapping[str, DTO_co]:
        """The records whose codes are given (any letter case), keyed by their stored code."""

    def list_all(self) -> Sequence[DTO_co]:
        """Every record, ordered by code."""

    def count(self) -> int:
        """How many records there are."""


def choose_adapter(
    department: str,
    *,
    local: Callable[[], T],
    remote: Callable[[str], T],
    replica: Callable[[], T] | None = None,
    live: bool = False,
) -> T:
    """In-process adapter when this process serves `department`; else this service's replica
    of it where the topology reads one (and the caller does not need it `live`); else HTTP to
    its service URL."""
    topology = settings.TOPOLOGY
    if topology.is_local(department):
        return local()
    if replica is not None and not live and department in topology.replicated_departments:
        return replica()
    return remote(topology.service_url(department))


# Threads start on first use, so a gunicorn master that loads the app before forking has none.
# Enough for each of a worker's request threads to wait on three departments at once.
_REMOTE_CALLS = ThreadPoolExecutor(max_workers=16, thread_name_prefix="port-call")


def concurrently(calls: Mapping[str, Callable[[], Any]]) -> dict[str, Any]:
    """Each department's answer, keyed by department, as if the calls ran one after another.
    (Answers differ in type from one department to the next: callers name what they expect.)

    Calls that ask other services wait on the network: they run at the same time, on pool
    threads, each in a copy of this context (the request ID goes along). Calls served in this
    process, or from its replicas, read its databases: they run on this thread, which owns its
    database connections and gives them back when the request ends."""
    remote = [department for department in calls if settings.TOPOLOGY.reads_over_http(department)]
    if len(remote) < 2:
        return {department: call() for department, call in calls.items()}
    pending = {
        department: _REMOTE_CALLS.submit(contextvars.copy_context().run, calls[department])
        for department in remote
    }
    return {
        department: pending[department].result() if department in pending else call()
        for department, call in calls.items()
    }


def _unless_unavailable(call: Callable[[], T]) -> Callable[[], T | None]:
    def answer() -> T | None:
        try:
            return call()
        except DepartmentUnavailable:
            return None

    return answer


def ask_departments(calls: Mapping[str, Callable[[], Any]]) -> dict[str, Any]:
    """Each department's answer, keyed by department, or None where the department is
    unavailable: a caller that can do without an answer shows what it has. Calls to
    departments served elsewhere run at the same time (see `concurrently`)."""
    return concurrently(
        {department: _unless_unavailable(call) for department, call in calls.items()}
    )


@contextmanager
def database_errors_as_unavailable(department: str) -> Iterator[None]:
    """A department whose database cannot be reached is unavailable, in-process as over HTTP:
    no ORM exception crosses a port."""
    try:
        yield
    except (OperationalError, InterfaceError) as error:
        raise DepartmentUnavailable(department, "its database does not answer") from error


class LocalDirectory(Generic[DTO]):
    """In-process adapter: the department's own list selector, rows read straight into the
    DTO, whose fields are model fields of the same names."""

    def __init__(self, department: str, list_selector: Callable[..., QuerySet], dto: type[DTO]):
        self._department = department
        self._list = list_selector
        self._dto = dto
        self._fields = list(inspect.signature(dto).parameters)

    def _read(self, records: QuerySet) -> list[DTO]:
        # Tuples, not model instances: several times cheaper for a few hundred rows.
        return [self._dto(*row) for row in records.values_list(*self._fields)]

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """Around a read of the department's data: its version noted first, and database
        errors turned into DepartmentUnavailable."""
        with database_errors_as_unavailable(self._department):
            data_versions.note_owner_read(self._department)
            yield

    def get_many(self, codes: Iterable[str]) -> dict[str, DTO]:
        # The selector keeps the code-shaped codes (`filter_code_and_name`), as for the API.
        wanted = list(codes)
        if not wanted:
            return {}
        with self._reading():
            return {dto.code: dto for dto in self._read(self._list(codes=wanted))}

    def list_all(self) -> list[DTO]:
        with self._reading():
            return self._read(self._list())

    def count(self) -> int:
        with self._reading():
            return self._list().count()
