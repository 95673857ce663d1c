"""Benchmark set-up and measurements that need a department's code, run inside a service's
process by the `bench_seed_countries` and `bench_port_calls` commands (see `remote`)."""

import itertools
import re
import string
import time

from django.db import connections, router, transaction

from countries.models import Country, CountryOutbox
from countries.search import country_search_key
from currencies.public import get_currency_directory
from project.kernel.models import raise_version
from project.kernel.names import set_names
from project.kernel.outbox import SINGLE_ROW

# Synthetic countries get 3-character codes with at least one digit: never an ISO code, never
# one the write scenario creates (3 letters), and 29,080 of them.
_ALPHABET = string.digits + string.ascii_uppercase


def _synthetic_codes():
    for letters in itertools.product(_ALPHABET, repeat=3):
        if any(char.isdigit() for char in letters):
            yield "".join(letters)


def seed_countries(target: int) -> dict:
    """Top the countries up to `target` with synthetic, fully linked ones, linked like the real
    ones are. Answers what the comparison needs to know of the data."""
    linked = Country.objects.filter(currency_code__isnull=False, language_code__isnull=False)
    pairs = sorted(set(linked.values_list("currency_code", "language_code")))
    existing = set(Country.objects.values_list("code", flat=True))
    new: list[Country] = []
    for code in _synthetic_codes():
        if len(existing) + len(new) >= target:
            break
        if code not in existing:
            currency, language = pairs[len(new) % len(pairs)]
            country = Country(code=code, currency_code=currency, language_code=language)
            set_names(country, name=f"Synthetic {code}", names={}, search_key=country_search_key)
            new.append(country)
    if len(existing) + len(new) < target:
        raise ValueError(f"cannot make {target} countries: out of synthetic codes")
    alias = router.db_for_write(Country)
    with transaction.atomic(using=alias):  # as the services would, each with its event
        Country.objects.bulk_create(new, batch_size=2000)
        events = [CountryOutbox.event_for("created", country) for country in new]
        CountryOutbox.objects.bulk_create(events, batch_size=2000)
        raise_version(CountryOutbox.versions, using=alias, pk=SINGLE_ROW)
    # As a database in use would be: planner statistics current, the visibility map set.
    connection = connections[alias]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE " + connection.ops.quote_name(Country._meta.db_table))
    return {
        "countries": Country.objects.count(),
        "synthetic": len(new),
        "pairs": pairs[:50],
        "letter_codes": sorted(c for c in existing if re.fullmatch("[A-Z]{2,3}", c)),
    }


def time_port_calls(calls: int) -> list[float]:
    """Seconds per call of the currency port for two codes, in-process or over HTTP as this
    process's topology says, after 50 calls to warm up."""
    codes = ["EUR", "USD"]
    for _ in range(50):
        get_currency_directory().get_many(codes)
    samples = []
    for _ in range(calls):
        began = time.perf_counter()
        found = get_currency_directory().get_many(codes)
        samples.append(time.perf_counter() - began)
        if sorted(found) != codes:
            raise RuntimeError(f"the port answered {sorted(found)} for {codes}")
    return samples
