"""The database goes away and comes back: a real gunicorn process, PostgreSQL reached through a
loopback proxy that is cut and restored. Nothing is restarted in between."""

import os
import re
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

from project.bench.compare.servers import LocalMonolith
from project.bench.split import free_ports
from tests.loopback import TcpProxy
from tests.topology.conftest import scratch_database

pytestmark = [
    pytest.mark.topology,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="needs a database server to take away; SQLite is a file inside the process",
    ),
]


@pytest.fixture
def monolith_behind_proxy(tmp_path):
    with scratch_database("country_provider_fault_test") as database_url:
        parts = urlsplit(database_url)
        proxy = TcpProxy(parts.hostname, parts.port or 5432)
        proxy.start()
        credentials = parts.netloc.rsplit("@", 1)[0]
        proxied = urlunsplit(parts._replace(netloc=f"{credentials}@127.0.0.1:{proxy.port}"))
        server = LocalMonolith(ports=free_ports(["all"]), data_dir=tmp_path, database_url=proxied)
        try:
            server.manage("all", "migrate", "--verbosity=0")
            server.manage("all", "collectstatic", "--noinput", "--verbosity=0")
            server.start("all")
            yield server, proxy
        finally:
            server.stop_all()
            proxy.cut()


def eventually(check, seconds: float = 10):
    deadline = time.monotonic() + seconds
    while True:
        try:
            check()
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_database_outage_is_reported_clearly_and_recovers_without_a_restart(
    monolith_behind_proxy,
):
    server, proxy = monolith_behind_proxy
    url = server.url()
    pid = server.processes["all"].pid
    token = server.manage(
        "all", "create_department_user", "carla", "--department", "currencies", "--password", "pw"
    ).splitlines()[-1]
    admin = requests.Session()
    login_form = admin.get(f"{url}/admin/currencies/login/", timeout=5).text
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_form)
    assert match is not None, "the login form carries a CSRF token"
    csrf = match[1]
    assert requests.get(f"{url}/readyz", timeout=5).status_code == 200

    proxy.cut()

    ready = requests.get(f"{url}/readyz", timeout=10)
    api = requests.get(f"{url}/api/countries/", timeout=10)
    write = requests.post(
        f"{url}/api/currencies/",
        json={"code": "QDB", "name": "Outage crown"},
        headers={"Authorization": f"Token {token}"},
        timeout=10,
    )
    login = admin.post(
        f"{url}/admin/currencies/login/",
        data={"username": "carla", "password": "pw", "csrfmiddlewaretoken": csrf},
        timeout=10,
    )
    portal = requests.get(f"{url}/", timeout=10)
    assert ready.status_code == 503
    for answer in (api, write):
        assert answer.status_code == 503
        assert answer.headers["Content-Type"] == "application/json"
        assert "database" in answer.json()["detail"]
        assert "Traceback" not in answer.text
    # A page that cannot do without the database is a friendly page, not a traceback.
    assert login.status_code == 503, login.url
    assert "<h1>Temporarily unavailable</h1>" in login.text
    assert "The database is unavailable right now." in login.text
    assert "Traceback" not in login.text
    # The portal stays up and says what is missing.
    assert portal.status_code == 200
    assert "unavailable right now" in portal.text
    assert requests.get(f"{url}/healthz", timeout=5).status_code == 200

    proxy.start()

    def recovered():
        assert requests.get(f"{url}/readyz", timeout=5).status_code == 200
        assert requests.get(f"{url}/api/countries/", timeout=5).status_code == 200
        assert "unavailable right now" not in requests.get(f"{url}/", timeout=5).text

    eventually(recovered)
    # The write answered 503 left nothing behind.
    assert requests.get(f"{url}/api/currencies/QDB/", timeout=5).status_code == 404
    assert server.processes["all"].pid == pid
    assert server.processes["all"].poll() is None
