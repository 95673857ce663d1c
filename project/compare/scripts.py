"""Benchmark set-up and measurements that need a department's code, run as `manage.py shell -c`
under a service's environment. They are strings: project/ imports no department."""

import json
import string
from itertools import product

from project.split import LocalSplit

# Synthetic countries get 3-character codes with at least one digit: never an ISO code, never
# one the write scenario creates (3 letters), and 29,080 of them.
SEED = """
import itertools, json, re, string
from countries.models import Country

target = {target}
linked = Country.objects.filter(currency_code__isnull=False, language_code__isnull=False)
pairs = sorted(set(linked.values_list("currency_code", "language_code")))
existing = set(Country.objects.values_list("code", flat=True))
alphabet = string.digits + string.ascii_uppercase
synthetic = (
    "".join(letters)
    for letters in itertools.product(alphabet, repeat=3)
    if any(ch.isdigit() for ch in letters)
)
new = []
for code in synthetic:
    if len(existing) + len(new) >= target:
        break
    if code not in existing:
        currency, language = pairs[len(new) % len(pairs)]
        new.append(
            Country(code=code, name=f"Synthetic {{code}}", currency_code=currency,
                    language_code=language)
        )
if len(existing) + len(new) < target:
    raise SystemExit(f"cannot make {{target}} countries: out of synthetic codes")
Country.objects.bulk_create(new, batch_size=2000)
# As a database in use would be: planner statistics current, the visibility map set.
from django.db import connections, router
connection = connections[router.db_for_write(Country)]
if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE " + connection.ops.quote_name(Country._meta.db_table))
print(json.dumps({{
    "countries": Country.objects.count(),
    "synthetic": len(new),
    "pairs": pairs[:50],
    "letter_codes": sorted(c for c in existing if re.fullmatch("[A-Z]{{2,3}}", c)),
}}))
"""

# One port call, in-process or over HTTP depending on the service's environment.
PORT_CALL = """
import json, time
from currencies.public import get_currency_directory

codes = ["EUR", "USD"]
for _ in range(50):
    get_currency_directory().get_many(codes)
samples = []
for _ in range({calls}):
    began = time.perf_counter()
    found = get_currency_directory().get_many(codes)
    samples.append(time.perf_counter() - began)
    assert sorted(found) == codes, found
print(json.dumps({{"samples": samples}}))
"""


def last_json_line(output: str):
    """`manage.py shell` may print a line of its own first; the script prints JSON last."""
    return json.loads(output.strip().splitlines()[-1])


def seed(topology: LocalSplit, service: str, target: int) -> dict:
    """Top the service's countries up to `target` with synthetic, fully linked ones."""
    script = SEED.format(target=int(target))
    return last_json_line(topology.manage(service, "shell", "--no-imports", "-c", script))


def port_call_samples(topology: LocalSplit, service: str, calls: int) -> list[float]:
    script = PORT_CALL.format(calls=int(calls))
    output = topology.manage(service, "shell", "--no-imports", "-c", script)
    return last_json_line(output)["samples"]


def department_token(topology: LocalSplit, service: str) -> str:
    output = topology.manage(
        service, "create_department_user", "compare-writer", "--department", "countries"
    )
    return output.strip().splitlines()[-1]


def three_letter_codes(taken: list[str]) -> list[str]:
    """Every unused 3-letter code, in order: the write scenario's supply (17,576 at most)."""
    used = set(taken)
    letters = string.ascii_uppercase
    return [code for code in map("".join, product(letters, repeat=3)) if code not in used]
