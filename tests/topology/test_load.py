"""The load command, bounded for CI: mixed reads and writes on the split topology, no 5xx and
no lost write."""

import os
import subprocess
import sys

import pytest

from project.bench.split import BASE_DIR
from tests.topology.conftest import scratch_database

pytestmark = pytest.mark.topology


def test_a_short_mixed_load_has_no_server_errors_and_loses_no_write():
    with scratch_database("country_provider_load_test") as database_url:
        result = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "load_test",
                "--duration=4",
                "--concurrency=4",
                "--max-requests=1000",
                f"--database-url={database_url}",
            ],
            cwd=BASE_DIR,
            env={**os.environ, "DEBUG": "1"},
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )

    assert result.returncode == 0, result.stdout + result.stderr
    summary = result.stdout.splitlines()[-1]
    assert "5xx: 0," in summary
    assert "lost writes: 0" in summary
    acknowledged = int(summary.split("writes acknowledged: ")[1].split(",")[0])
    assert acknowledged > 0
