"""Rate limits hold for a service, not per worker: three gunicorn workers of the currency
service count in one shared table (the service's own database)."""

import json
import re

import pytest
import requests

from tests.topology.conftest import split_of_its_own

pytestmark = pytest.mark.topology

WORKERS = 3
WRITES_PER_MINUTE = 5
LOGINS_PER_MINUTE = 3


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    with split_of_its_own(
        tmp_path_factory,
        "rate_limits",
        GUNICORN_WORKERS=str(WORKERS),
        WRITE_THROTTLE_RATE=f"{WRITES_PER_MINUTE}/minute",
        LOGIN_THROTTLE_RATE=f"{LOGINS_PER_MINUTE}/minute",
    ) as topology:
        yield topology


def workers_that_answered(split, path: str) -> set[int]:
    lines = split.log_path("currencies").read_text().splitlines()
    records = [json.loads(line) for line in lines if line.startswith("{")]
    return {r["pid"] for r in records if r.get("path") == path and r.get("message") == "request"}


def test_api_writes_are_limited_across_all_workers(limited):
    token = limited.manage(
        "currencies", "create_department_user", "writer", "--department", "currencies"
    ).splitlines()[-1]
    headers = {"Authorization": f"Token {token}", "Connection": "close"}  # any worker each time
    statuses = [
        requests.post(
            f"{limited.url('currencies')}/api/currencies/",
            json={"code": f"Q{letter}Q", "name": f"Limited {letter}"},
            headers=headers,
            timeout=10,
        ).status_code
        for letter in "ABCDEFGHIJKL"
    ]

    assert len(workers_that_answered(limited, "/api/currencies/")) > 1
    assert statuses == [201] * WRITES_PER_MINUTE + [429] * (12 - WRITES_PER_MINUTE)


def test_admin_logins_are_limited_across_all_workers(limited):
    url = f"{limited.url('currencies')}/admin/currencies/login/"
    statuses = []
    with requests.Session() as browser:
        page = browser.get(url, timeout=10).text
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert csrf is not None
        for attempt in range(8):
            answer = browser.post(
                url,
                data={
                    "csrfmiddlewaretoken": csrf[1],
                    "username": "nobody",
                    "password": f"wrong-{attempt}",
                },
                headers={"Connection": "close", "Referer": url},
                timeout=10,
            )
            statuses.append(answer.status_code)

    assert len(workers_that_answered(limited, "/admin/currencies/login/")) > 1
    assert statuses == [200] * LOGINS_PER_MINUTE + [429] * (8 - LOGINS_PER_MINUTE)
