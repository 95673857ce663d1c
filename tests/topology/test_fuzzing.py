"""schemathesis against each department service's own OpenAPI schema, every phase it offers
(examples, coverage, fuzzing, stateful), valid and invalid data, with a department token: no
5xx, every answer conforms to the schema, invalid data is refused, and valid writes really
happen. Bounded: a fixed number of examples per operation and a time budget per run."""

import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.topology.conftest import split_of_its_own

pytestmark = pytest.mark.topology

SCHEMATHESIS = str(Path(sys.executable).with_name("st"))
EXAMPLES_PER_OPERATION = 25
MINIMUM_CREATED = 5


@pytest.fixture(scope="module")
def fuzzed_split(tmp_path_factory):
    """A split topology of its own: fuzzing fills it with odd records."""
    with split_of_its_own(
        tmp_path_factory, "fuzz", WRITE_THROTTLE_RATE="100000/minute"
    ) as topology:
        yield topology


@pytest.mark.parametrize("department", ["countries", "currencies", "languages"])
def test_the_api_keeps_its_schema_under_fuzzing(fuzzed_split, department, tmp_path):
    token = fuzzed_split.manage(
        department, "create_department_user", "fuzzer", "--department", department
    ).splitlines()[-1]

    result = subprocess.run(
        [
            SCHEMATHESIS,
            "run",
            f"{fuzzed_split.url(department)}/api/schema/",
            "--header",
            f"Authorization: Token {token}",
            "--checks",
            "all",
            # A schema-valid body may still be refused for reasons a schema cannot state
            # (a code already taken, a link to a code another department does not know).
            "--exclude-checks",
            "positive_data_acceptance",
            "--max-examples",
            str(EXAMPLES_PER_OPERATION),
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--mode",
            "all",
            "--seed",
            "20261125",
            "--generation-database",
            "none",
            "--request-timeout",
            "10",
            # Bounded in time as well as in examples, for CI.
            "--max-time",
            "25",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
    )

    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    # The schema states the rules (patterns, lengths, minimums), so generated writes are valid
    # often enough to reach the write paths.
    created = requests.get(f"{fuzzed_split.url(department)}/api/{department}/", timeout=10)
    assert created.json()["count"] >= MINIMUM_CREATED, result.stdout[-3000:]
