"""The currency port's adapters, built as in every department: in-process over the department's own
selector, HTTP over its REST API, and replica over another service's copy fed by the
department's events; all answer `Currency` DTOs and pass one contract suite.

Processes that only reach the currency department import this module too: its selectors (and so
its models, which need the installed app) are imported when the in-process adapter is built."""

from currencies.public import CURRENCY_EVENTS, Currency
from project.kernel.http import HttpDirectory
from project.kernel.ports import LocalDirectory
from project.kernel.replica import ReplicaDirectory


class LocalCurrencyDirectory(LocalDirectory[Currency]):
    def __init__(self) -> None:
        from currencies.selectors import currency_list  # noqa: PLC0415 - only where installed

        super().__init__("currencies", currency_list, Currency)


def _from_json(item: dict) -> Currency:
    # An older service answers no names: the main name is shown meanwhile.
    return Currency(code=item["code"], name=item["name"], names=item.get("names", {}))


class HttpCurrencyDirectory(HttpDirectory[Currency]):
    def __init__(self, base_url: str) -> None:
        super().__init__("currencies", f"{base_url}/api/currencies/", _from_json)


class ReplicaCurrencyDirectory(ReplicaDirectory[Currency]):
    def __init__(self) -> None:
        super().__init__(CURRENCY_EVENTS)
