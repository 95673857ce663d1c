"""What each department plugs into a process that serves it: its URLs, its reference data and
its outbox; and what any process may read of it: its event stream.

Real imports, so the import contracts see every arrow from the composition root to a department;
made inside the function because a department's models exist only in processes that install it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver

from project.kernel.events import EventStream
from project.kernel.outbox import OutboxEvent
from project.kernel.reference_data import LoadReport


@dataclass(frozen=True)
class Department:
    urlpatterns: list[URLPattern | URLResolver]
    load_reference_data: Callable[[], LoadReport]
    outbox: type[OutboxEvent]


def department(name: str) -> Department:
    """The department called `name`; only where this process installs it."""
    match name:
        case "countries":
            import countries.models  # noqa: PLC0415
            import countries.reference_data  # noqa: PLC0415
            import countries.urls  # noqa: PLC0415

            return Department(
                countries.urls.urlpatterns,
                countries.reference_data.load_reference_data,
                countries.models.CountryOutbox,
            )
        case "currencies":
            import currencies.models  # noqa: PLC0415
            import currencies.reference_data  # noqa: PLC0415
            import currencies.urls  # noqa: PLC0415

            return Department(
                currencies.urls.urlpatterns,
                currencies.reference_data.load_reference_data,
                currencies.models.CurrencyOutbox,
            )
        case "languages":
            import languages.models  # noqa: PLC0415
            import languages.reference_data  # noqa: PLC0415
            import languages.urls  # noqa: PLC0415

            return Department(
                languages.urls.urlpatterns,
                languages.reference_data.load_reference_data,
                languages.models.LanguageOutbox,
            )
    raise LookupError(f"There is no department {name!r}.")


def event_stream(name: str) -> EventStream:
    """The events department `name` publishes; readable in any process."""
    match name:
        case "countries":
            from countries.public import COUNTRY_EVENTS  # noqa: PLC0415

            return COUNTRY_EVENTS
        case "currencies":
            from currencies.public import CURRENCY_EVENTS  # noqa: PLC0415

            return CURRENCY_EVENTS
        case "languages":
            from languages.public import LANGUAGE_EVENTS  # noqa: PLC0415

            return LANGUAGE_EVENTS
    raise LookupError(f"There is no department {name!r}.")
