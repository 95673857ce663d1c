"""Which departments this process serves and how it reaches the others.

`SERVICE` picks the topology: `all` serves everything in one process; a department name serves
that department alone; `portal` serves the GUI. Everything that differs between the topologies
(installed apps, URLs, databases, port adapters) is derived from the `Topology` built here.

`READ_MODEL` picks how a service reads the departments it does not serve: `live` asks their
services over HTTP on every read; `replica` reads its own copy, fed by their events. Writes
check their links with the owner whatever the read model.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

DEPARTMENTS = ("countries", "currencies", "languages")
SERVICES = ("all", *DEPARTMENTS, "portal")

# Each department's staff: the group its migration creates, holding its model permissions.
STAFF_GROUPS = {
    "countries": "Country department",
    "currencies": "Currency department",
    "languages": "Language department",
}

SERVICE_URL_VARIABLES = {
    "countries": "COUNTRY_SERVICE_URL",
    "currencies": "CURRENCY_SERVICE_URL",
    "languages": "LANGUAGE_SERVICE_URL",
}

READ_MODELS = ("live", "replica")

# The departments each service reads over HTTP (or from its replicas) when it does not serve
# them itself.
_READS = {
    "all": (),
    "countries": ("currencies", "languages"),
    "currencies": (),
    "languages": (),
    "portal": DEPARTMENTS,
}

# The departments each service asks before a delete, always over HTTP: which countries link to
# the currency or language (the admin refuses the delete while any do).
_ASKS_BEFORE_DELETE = {"currencies": ("countries",), "languages": ("countries",)}


def _calls(service: str) -> tuple[str, ...]:
    return (*_READS[service], *_ASKS_BEFORE_DELETE.get(service, ()))


def in_call_order(services: Iterable[str]) -> list[str]:
    """`services`, each after the ones it reads: the order to start them in, and to load
    reference data in (countries check their links with currencies and languages)."""
    return sorted(services, key=lambda service: len(_READS[service]))


@dataclass(frozen=True)
class Topology:
    service: str
    service_urls: Mapping[str, str] = field(default_factory=dict)
    read_model: str = "live"

    @property
    def local_departments(self) -> tuple[str, ...]:
        if self.service == "all":
            return DEPARTMENTS
        return tuple(d for d in DEPARTMENTS if d == self.service)

    @property
    def serves_portal(self) -> bool:
        return self.service in ("all", "portal")

    @property
    def documented_departments(self) -> tuple[str, ...]:
        """The departments whose API this process's docs page shows: every one where it serves
        the portal, the product's front door (fetching the schemas of those served elsewhere
        from their services); else those it serves."""
        return DEPARTMENTS if self.serves_portal else self.local_departments

    def is_local(self, department: str) -> bool:
        return department in self.local_departments

    def service_url(self, department: str) -> str:
        return self.service_urls[department]

    def reads_over_http(self, department: str) -> bool:
        """Whether reads of `department` ask its service: neither served here nor replicated."""
        return not self.is_local(department) and department not in self.replicated_departments

    @property
    def replicated_departments(self) -> tuple[str, ...]:
        """The departments this service reads from its own replica, fed by their events."""
        if self.read_model != "replica":
            return ()
        return _READS[self.service]


def build_topology(service: str, environ: Mapping[str, str]) -> Topology:
    """Validate `SERVICE`, `READ_MODEL` and the service URLs they need; fail with one line
    naming what is wrong."""
    if service not in SERVICES:
        raise ImproperlyConfigured(f"SERVICE={service!r} is not one of: {', '.join(SERVICES)}.")
    read_model = environ.get("READ_MODEL", "").strip() or "live"
    if read_model not in READ_MODELS:
        raise ImproperlyConfigured(
            f"READ_MODEL={read_model!r} is not one of: {', '.join(READ_MODELS)}."
        )
    urls = {}
    for department in _calls(service):
        variable = SERVICE_URL_VARIABLES[department]
        url = environ.get(variable, "").strip()
        if not url:
            raise ImproperlyConfigured(
                f"{variable} must be set when SERVICE={service} "
                f"(the base URL of the {department} service)."
            )
        urls[department] = url.rstrip("/")
    return Topology(service=service, service_urls=urls, read_model=read_model)
