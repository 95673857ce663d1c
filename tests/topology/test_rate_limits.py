"""Rate limits hold for a service, not per process: two processes of the currency service (as
two pods would be), each with 3 gunicorn workers, count in one shared table of the service's
own database. Requests alternate between them, so a per-process count would let twice as
many through."""

import dataclasses
import itertools
import re

import pytest
import requests

from project.bench.split import LocalSplit, free_ports
from tests.topology.conftest import split_of_its_own

pytestmark = pytest.mark.topology

WRITES_PER_MINUTE = 5
LOGINS_PER_MINUTE = 3


@pytest.fixture(scope="module")
def currency_pods(tmp_path_factory):
    """The base URLs of two currency service processes on one database."""
    with split_of_its_own(
        tmp_path_factory,
        "rate_limits",
        GUNICORN_WORKERS="3",
        WRITE_THROTTLE_RATE=f"{WRITES_PER_MINUTE}/minute",
        LOGIN_THROTTLE_RATE=f"{LOGINS_PER_MINUTE}/minute",
    ) as first:
        second: LocalSplit = dataclasses.replace(
            first, ports={**first.ports, **free_ports(["currencies"])}, processes={}
        )
        second.start("currencies")
        try:
            yield first, [first.url("currencies"), second.url("currencies")]
        finally:
            second.stop_all()


def test_api_writes_are_limited_across_processes(currency_pods):
    split, pods = currency_pods
    token = split.manage(
        "currencies", "create_department_user", "writer", "--department", "currencies"
    ).splitlines()[-1]
    statuses = [
        requests.post(
            f"{pod}/api/currencies/",
            json={"code": f"Q{letter}Q", "name": f"Limited {letter}"},
            headers={"Authorization": f"Token {token}"},
            timeout=10,
        ).status_code
        for pod, letter in zip(itertools.cycle(pods), "ABCDEFGHIJKL", strict=False)
    ]

    assert statuses == [201] * WRITES_PER_MINUTE + [429] * (12 - WRITES_PER_MINUTE)


def test_admin_logins_are_limited_across_processes(currency_pods):
    _, pods = currency_pods
    statuses = []
    with requests.Session() as browser:
        page = browser.get(f"{pods[0]}/admin/currencies/login/", timeout=10).text
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert csrf is not None
        for attempt, pod in zip(range(8), itertools.cycle(pods), strict=False):
            answer = browser.post(
                f"{pod}/admin/currencies/login/",
                data={
                    "csrfmiddlewaretoken": csrf[1],
                    "username": "nobody",
                    "password": f"wrong-{attempt}",
                },
                timeout=10,
            )
            statuses.append(answer.status_code)

    assert statuses == [200] * LOGINS_PER_MINUTE + [429] * (8 - LOGINS_PER_MINUTE)
