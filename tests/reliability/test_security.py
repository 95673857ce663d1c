"""Production settings, CSRF, rate limits, department separation and what errors reveal."""

import json
import logging
import secrets
import subprocess
import sys

import pytest
from django.test import Client, override_settings
from rest_framework.throttling import SimpleRateThrottle

from currencies.models import Currency
from project.bench.split import BASE_DIR
from project.kernel.request_id import JsonFormatter
from project.topology import Topology
from tests.factories import department_user
from tests.loopback import closed_port_url
from tests.processes import manage

pytestmark = pytest.mark.django_db(databases="__all__")


def deployment_check(**variables: str):
    env = {
        "PATH": "/usr/bin:/bin",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "country-provider.example.org",
        "DATA_DIR": str(BASE_DIR / "var" / "check-deploy"),
        **variables,
    }
    return manage(BASE_DIR, env, "check", "--deploy", "--fail-level", "WARNING", timeout=60)


def test_production_settings_pass_the_deployment_checklist_without_warnings():
    result = deployment_check()

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deployment_checklist_warns_when_browsers_are_not_sent_on_to_https():
    result = deployment_check(HTTPS="false")

    assert result.returncode == 1
    assert "(kernel.W001) Browsers are not sent on to HTTPS" in result.stderr


@override_settings(HTTPS=True, SESSION_COOKIE_SECURE=True)
def test_security_headers_on_every_page(client):
    response = client.get("/", secure=True)

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@override_settings(HTTPS=True, SECURE_HSTS_SECONDS=31_536_000)
def test_https_redirects_browsers_but_not_service_calls_or_probes(client):
    assert client.get("/").status_code == 301
    assert client.get("/", secure=True)["Strict-Transport-Security"].startswith("max-age=31536000")
    assert client.get("/api/countries/").status_code == 200
    assert client.get("/healthz").status_code == 200


@override_settings(
    HTTPS=True,
    SECURE_HSTS_SECONDS=31_536_000,
    ALLOWED_HOSTS=["country-provider.example.org", "localhost", "127.0.0.1", "[::1]"],
)
@pytest.mark.parametrize("host", ["localhost:8000", "127.0.0.1:8000", "[::1]:8000", "localhost"])
def test_a_loopback_host_is_served_over_plain_http_as_through_kubectl_port_forward(client, host):
    page = client.get("/", headers={"host": host})

    assert page.status_code == 200
    assert "Strict-Transport-Security" not in page  # browsers ignore it over HTTP anyway
    assert client.get("/", headers={"host": "country-provider.example.org"}).status_code == 301


@override_settings(HTTPS=True, ALLOWED_HOSTS=["127.0.0.1.example.org"])
def test_a_host_that_only_looks_like_loopback_is_redirected(client):
    page = client.get("/", headers={"host": "127.0.0.1.example.org"})

    assert page.status_code == 301
    assert page["Location"] == "https://127.0.0.1.example.org/"


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/i18n/setlang/", {"language": "de", "next": "/"}),
        ("/admin/countries/login/", {"username": "x", "password": "y"}),
        ("/admin/login/", {"username": "x", "password": "y"}),
    ],
)
def test_csrf_is_enforced_on_every_form(path, data):
    client = Client(enforce_csrf_checks=True)

    assert client.post(path, data).status_code == 403


def test_session_writes_to_the_api_need_the_csrf_token():
    department_user("currencies", username="sam")
    client = Client(enforce_csrf_checks=True)
    client.login(username="sam", password="correct horse")

    response = client.post(
        "/api/currencies/", {"code": "QQQ", "name": "X"}, content_type="application/json"
    )

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Currency.objects.exists()


@pytest.fixture
def low_rates(monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"write": "3/min", "login": "2/min"})


def test_api_writes_are_throttled_per_user(api_as, low_rates):
    client = api_as("currencies")
    codes = ["QQA", "QQB", "QQC", "QQD"]

    statuses = [
        client.post("/api/currencies/", {"code": c, "name": "X"}, format="json").status_code
        for c in codes
    ]

    assert statuses == [201, 201, 201, 429]
    assert client.get("/api/currencies/").status_code == 200  # reads are not limited
    assert Currency.objects.count() == 3


@pytest.mark.parametrize("path", ["/admin/login/", "/admin/languages/login/"])
def test_logins_are_throttled_per_address(client, low_rates, path):
    department_user("languages", username="lu")
    for _ in range(2):
        client.post(path, {"username": "lu", "password": "wrong"})

    refused = client.post(path, {"username": "lu", "password": "correct horse"})

    assert refused.status_code == 429
    assert "Too many login attempts" in refused.content.decode()


def test_a_forged_forwarded_for_header_does_not_escape_the_login_limit(client, low_rates):
    department_user("languages", username="lu")
    statuses = [
        client.post(
            "/admin/languages/login/",
            {"username": "lu", "password": "wrong"},
            headers={"x-forwarded-for": f"203.0.113.{attempt}"},
        ).status_code
        for attempt in range(3)
    ]

    assert statuses == [200, 200, 429]


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit(
    client, low_rates, settings
):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    department_user("languages", username="lu")

    def attempt(forwarded_for: str) -> int:
        return client.post(
            "/admin/languages/login/",
            {"username": "lu", "password": "wrong"},
            headers={"x-forwarded-for": forwarded_for},
        ).status_code

    # The proxy appends the address it saw; what the client wrote before it does not count.
    first = [attempt(f"{forged}, 198.51.100.1") for forged in ("1.1.1.1", "2.2.2.2", "3.3.3.3")]
    other = attempt("198.51.100.2")

    assert first == [200, 200, 429]
    assert other == 200


def test_staff_cannot_edit_another_departments_data_in_the_admin(client):
    Currency.objects.create(code="EUR", name="Euro")
    department_user("languages", username="lena")
    client.login(username="lena", password="correct horse")

    change = client.post(
        f"/admin/currencies/currencies/currency/{Currency.objects.get().pk}/change/",
        {"name": "Hacked"},
    )

    assert change.status_code == 403
    assert Currency.objects.get().name == "Euro"


@pytest.fixture
def crash(monkeypatch):
    """A bug somewhere below a view."""

    def boom(*args, **kwargs):
        raise RuntimeError("secret-internal-detail")

    monkeypatch.setattr("project.kernel.rest.StandardPagination.paginate_queryset", boom)
    monkeypatch.setattr("portal.pages.get_currency_directory", boom)


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/api/currencies/", "application/json"), ("/currencies/", "text/html")],
)
def test_errors_show_no_traceback_or_detail(crash, path, content_type):
    client = Client(raise_request_exception=False)

    response = client.get(path)

    body = response.content.decode()
    assert response.status_code == 500
    assert response["Content-Type"].startswith(content_type)
    assert "Traceback" not in body
    assert "secret-internal-detail" not in body
    assert "Something went wrong" in body


def test_no_token_or_secret_in_the_logs(api, caplog, settings):
    department_user("countries", username="tom")
    token = "0123456789abcdef0123456789abcdef01234567"
    with caplog.at_level(logging.DEBUG):
        api.post(
            "/api/countries/",
            {"code": "QA", "name": "X"},
            format="json",
            HTTP_AUTHORIZATION=f"Token {token}",
        )
        api.get("/api/countries/?search=x", HTTP_AUTHORIZATION="Token wrong")

    formatter = JsonFormatter()
    logged = "\n".join(formatter.format(record) for record in caplog.records)
    assert '"path": "/api/countries/"' in logged
    assert token not in logged
    assert settings.SECRET_KEY not in logged


@pytest.mark.parametrize(
    ("path", "extra"),
    [
        ("/healthz", {}),
        ("/readyz", {}),
        ("/api/currencies/", {"CONTENT_LENGTH": "999999", "method": "post"}),  # 413
        ("/api/currencies/", {"HTTP_HOST": "evil.example"}),  # 400, the Host refused
        ("/nothing-here/", {}),  # 404
    ],
)
def test_security_headers_on_every_kind_of_answer(client, path, extra):
    method = extra.pop("method", "get")

    response = getattr(client, method)(path, **extra)

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@override_settings(WHITENOISE_USE_FINDERS=True)  # the test run collects no static files
def test_security_headers_on_static_files(client):
    response = client.get("/static/admin/css/base.css")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@pytest.mark.parametrize(("proxies", "believed"), [("0", False), ("1", True)])
def test_x_forwarded_proto_is_believed_only_behind_a_trusted_proxy(proxies, believed):
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.SECURE_PROXY_SSL_HEADER)",
        ],
        cwd=BASE_DIR,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "project.settings",
            "DEBUG": "1",
            "TRUSTED_PROXIES": proxies,
            "DATA_DIR": str(BASE_DIR / "var" / "check-proxies"),
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert (result.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https')") is believed
    assert (result.stdout.strip() == "None") is not believed


def test_djangos_log_line_of_a_503_carries_the_request_id(api_as, caplog, settings):
    settings.TOPOLOGY = Topology(
        service="countries",
        service_urls={"currencies": closed_port_url(), "languages": closed_port_url()},
    )
    payload = {"code": "DE", "name": "Germany", "currency_code": "EUR"}
    with caplog.at_level(logging.INFO):
        response = api_as("countries").post("/api/countries/", payload, format="json")

    formatter = JsonFormatter()
    unavailable = [
        json.loads(formatter.format(record))
        for record in caplog.records
        if record.name == "django.request"
    ]
    assert response.status_code == 503
    assert unavailable, "Django logs the 503"
    assert {line["request_id"] for line in unavailable} == {response["X-Request-ID"]}
