"""What the topology with replicas adds to the comparison: when its replicas have caught up,
how long a change takes from its commit in currencies to the portal (the replication lag),
and what each split topology's portal answers while the currency service is down."""

import re
import time
import uuid
from typing import Any

import requests

from project.bench.compare import load
from project.bench.split import LocalSplit

UNAVAILABLE_NOTICE = "unavailable right now"


def _linked_count(countries_url: str) -> int:
    page = requests.get(f"{countries_url}/api/linked-countries/?page_size=1", timeout=30)
    page.raise_for_status()
    return page.json()["count"]


def _portal_figures(portal_url: str) -> list[str]:
    """The home page's counts: countries, fully linked, currencies, languages."""
    return re.findall(r"<dd>(\d+)</dd>", requests.get(f"{portal_url}/", timeout=30).text)


def wait_until_caught_up(replicated: LocalSplit, live: LocalSplit, timeout: float) -> None:
    """Until the replicas of `replicated` hold what the owners of `live` (the same data, asked
    live) hold: the country service resolves as many linked countries, and the portal's home
    page shows the same counts."""
    deadline = time.monotonic() + timeout
    while _linked_count(replicated.url("countries")) != _linked_count(
        live.url("countries")
    ) or _portal_figures(replicated.url("portal")) != _portal_figures(live.url("portal")):
        if time.monotonic() > deadline:
            raise RuntimeError(f"the replicas did not catch up within {timeout} s")
        time.sleep(0.2)


def _probe(countries_url: str) -> tuple[str, str, str]:
    """A fully linked country: its code, its currency's code and name."""
    # The first by name: the first row of the portal's home page.
    page = requests.get(
        f"{countries_url}/api/linked-countries/?page_size=1&ordering=name", timeout=30
    )
    page.raise_for_status()
    first = page.json()["results"][0]
    return first["code"], first["currency"]["code"], first["currency"]["name"]


def renamed_to(name: str) -> dict[str, Any]:
    """A rename every page shows: the main name, and no name per language in its way (a
    currency's names per language are what a page in that language shows)."""
    return {"name": name, "names": {}}


def replication_lag(
    split: LocalSplit, countries_url: str, token: str, renames: int, wait: float = 10.0
) -> dict[str, Any]:
    """Rename a linked country's currency `renames` times, one after the other; each time, the
    seconds from the rename's answer (its commit) until the portal's page of the country shows
    the new name, polled as fast as the portal answers."""
    country, currency, _ = _probe(countries_url)
    page = f"{split.url('portal')}/countries/{country}/"
    rename = f"{split.url('currencies')}/api/currencies/{currency}/"
    samples: list[float] = []
    missed = 0
    with requests.Session() as http:
        for index in range(renames):
            name = f"Lag probe {index} {uuid.uuid4().hex[:8]}"
            answer = http.patch(
                rename,
                json=renamed_to(name),
                headers={"Authorization": f"Token {token}"},
                timeout=30,
            )
            answer.raise_for_status()
            committed = time.perf_counter()
            while name not in http.get(page, timeout=30).text:
                if time.perf_counter() - committed > wait:
                    missed += 1
                    break
            else:
                samples.append(time.perf_counter() - committed)
    ordered = sorted(samples)
    summary: dict[str, Any] = {"renames": renames, "seen": len(samples), "missed": missed}
    if ordered:
        summary.update(
            {f"p{p}_ms": round(load.percentile(ordered, p) * 1000, 2) for p in (50, 95, 99)}
            | {"max_ms": round(ordered[-1] * 1000, 2)}
        )
    return summary


def portal_during_outage(split: LocalSplit, countries_url: str, token: str) -> dict[str, Any]:
    """The currency service stopped: what the portal's home page and a country's page answer,
    and whether they still show the name of the country's currency, renamed first to a name
    nothing else on the pages has."""
    country, currency, _ = _probe(countries_url)
    name = f"Outage probe {uuid.uuid4().hex[:8]}"
    renamed = requests.patch(
        f"{split.url('currencies')}/api/currencies/{currency}/",
        json=renamed_to(name),
        headers={"Authorization": f"Token {token}"},
        timeout=30,
    )
    renamed.raise_for_status()
    home, detail = f"{split.url('portal')}/", f"{split.url('portal')}/countries/{country}/"
    deadline = time.monotonic() + 30
    while name not in requests.get(detail, timeout=30).text:  # replicated, or asked live
        if time.monotonic() > deadline:
            raise RuntimeError(f"the portal did not show the rename of {currency} within 30 s")
        time.sleep(0.05)
    split.stop("currencies")
    try:
        home_page = requests.get(home, timeout=30)
        detail_page = requests.get(detail, timeout=30)
        return {
            "home_status": home_page.status_code,
            "country_page_status": detail_page.status_code,
            "currency_names_shown": name in home_page.text and name in detail_page.text,
            "says_unavailable": UNAVAILABLE_NOTICE in home_page.text,
        }
    finally:
        split.start("currencies")
