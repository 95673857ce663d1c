"""Steps the comparison runs inside one of a topology's services, as `manage.py` commands under
that service's environment: the department code they need is installed there."""

import json
import string
from itertools import product

from project.bench.split import LocalSplit


def _last_json_line(output: str):
    """A command may log a line of its own first; the JSON comes last."""
    return json.loads(output.strip().splitlines()[-1])


def seed(topology: LocalSplit, service: str, target: int) -> dict:
    """Top the service's countries up to `target` with synthetic, fully linked ones."""
    output = topology.manage(service, "bench_seed_countries", "--target", str(int(target)))
    return _last_json_line(output)


def port_call_samples(topology: LocalSplit, service: str, calls: int) -> list[float]:
    output = topology.manage(service, "bench_port_calls", "--calls", str(int(calls)))
    return _last_json_line(output)["samples"]


def department_token(topology: LocalSplit, service: str, department: str = "countries") -> str:
    output = topology.manage(
        service, "create_department_user", f"compare-{department}", "--department", department
    )
    return output.strip().splitlines()[-1]


def three_letter_codes(taken: list[str]) -> list[str]:
    """Every unused 3-letter code, in order: the write scenario's supply (17,576 at most)."""
    used = set(taken)
    letters = string.ascii_uppercase
    return [code for code in map("".join, product(letters, repeat=3)) if code not in used]
