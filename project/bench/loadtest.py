"""A bounded load on the split topology, on loopback: portal pages, API reads and writes that
create and link countries, all at once; then every write that was answered 201 is read back.

Bounded in time and in count (project.bench.compare.load.drive); loopback only."""

import itertools
import random
import string
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests

from project.bench.compare.load import REQUEST_TIMEOUT, Call, Exhausted, LoadResult, drive
from project.bench.split import LocalSplit

SCENARIOS = ("portal", "linked", "detail", "write")


@dataclass
class LoadTestReport:
    results: dict[str, LoadResult]
    server_errors: int  # answers 500 and above
    acknowledged: int  # writes answered 201
    lost: list[str] = field(default_factory=list)  # acknowledged, yet not readable afterwards

    @property
    def requests(self) -> int:
        return sum(result.requests for result in self.results.values())

    @property
    def ok(self) -> bool:
        no_answer = sum(r.errors for r in self.results.values())
        return not (self.server_errors or self.lost or no_answer)


class _Counters:
    def __init__(self):
        self.lock = threading.Lock()
        self.server_errors = 0
        self.acknowledged: dict[str, tuple[str, str]] = {}  # code -> (currency, language)

    def seen(self, response: requests.Response) -> requests.Response:
        if response.status_code >= 500:
            with self.lock:
                self.server_errors += 1
        return response


def run_load(
    split: LocalSplit, token: str, *, duration: float, concurrency: int, max_requests: int
) -> LoadTestReport:
    """Drive the four scenarios at once, each with a share of the connections and requests."""
    countries = split.url("countries")
    reference = requests.get(
        f"{countries}/api/countries/?fully_linked=true&page_size=500", timeout=10
    )
    linked = [
        (c["code"], c["currency_code"], c["language_code"]) for c in reference.json()["results"]
    ]
    counters = _Counters()
    # New countries get three-letter codes: the reference data uses two-letter ones.
    new_codes = ("".join(code) for code in itertools.product(string.ascii_uppercase, repeat=3))
    codes_lock = threading.Lock()

    def write(session: requests.Session) -> requests.Response:
        with codes_lock:
            code = next(new_codes, None)
        if code is None:
            raise Exhausted
        _, currency, language = random.choice(linked)
        response = session.post(
            f"{countries}/api/countries/",
            json={
                "code": code,
                "name": f"Load {code}",
                "currency_code": currency,
                "language_code": language,
            },
            headers={"Authorization": f"Token {token}"},
            timeout=REQUEST_TIMEOUT,
        )
        if response.status_code == 201:
            with counters.lock:
                counters.acknowledged[code] = (currency, language)
        return counters.seen(response)

    def get(url_of) -> Call:
        return Call(lambda session: counters.seen(session.get(url_of(), timeout=REQUEST_TIMEOUT)))

    calls = {
        "portal": get(lambda: f"{split.url('portal')}/?page={random.randint(1, 5)}"),
        "linked": get(lambda: f"{countries}/api/linked-countries/?page={random.randint(1, 4)}"),
        "detail": get(lambda: f"{countries}/api/countries/{random.choice(linked)[0]}/"),
        "write": Call(write, expected=201),
    }
    share = max(1, concurrency // len(calls))
    with ThreadPoolExecutor(len(calls)) as pool:
        futures = {
            name: pool.submit(
                drive,
                call,
                concurrency=share,
                duration=duration,
                max_requests=max(1, max_requests // len(calls)),
            )
            for name, call in calls.items()
        }
        results = {name: future.result() for name, future in futures.items()}
    return LoadTestReport(
        results=results,
        server_errors=counters.server_errors,
        acknowledged=len(counters.acknowledged),
        lost=_lost_writes(countries, counters.acknowledged),
    )


def _lost_writes(countries_url: str, acknowledged: dict[str, tuple[str, str]]) -> list[str]:
    """Acknowledged writes that cannot be read back as written, in batches of 100 codes."""
    codes = sorted(acknowledged)
    found = {}
    for start in range(0, len(codes), 100):
        batch = ",".join(codes[start : start + 100])
        query: dict[str, str | int] = {"codes": batch, "page_size": 500}
        page = requests.get(f"{countries_url}/api/countries/", params=query, timeout=30).json()
        found.update({c["code"]: (c["currency_code"], c["language_code"]) for c in page["results"]})
    return [code for code in codes if found.get(code) != acknowledged[code]]
