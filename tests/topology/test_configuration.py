"""A process configured wrongly stops at start with one line naming what to set."""

import os
import subprocess

import pytest

from project.bench.split import BASE_DIR
from tests.processes import manage


def start(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.endswith("_SERVICE_URL")}
    clean.pop("SERVICE", None)
    return manage(BASE_DIR, {**clean, "SECRET_KEY": "x", **env}, "check", timeout=60)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SERVICE": "portal"}, "COUNTRY_SERVICE_URL must be set when SERVICE=portal"),
        (
            {"SERVICE": "portal", "COUNTRY_SERVICE_URL": "http://127.0.0.1:1"},
            "CURRENCY_SERVICE_URL must be set when SERVICE=portal",
        ),
        (
            {"SERVICE": "countries", "CURRENCY_SERVICE_URL": "http://127.0.0.1:1"},
            "LANGUAGE_SERVICE_URL must be set when SERVICE=countries",
        ),
        # Before a delete, they ask which countries link to the record.
        ({"SERVICE": "currencies"}, "COUNTRY_SERVICE_URL must be set when SERVICE=currencies"),
        ({"SERVICE": "languages"}, "COUNTRY_SERVICE_URL must be set when SERVICE=languages"),
        ({"SERVICE": "planets"}, "SERVICE='planets' is not one of"),
        ({"SECRET_KEY": "", "DEBUG": "0"}, "SECRET_KEY"),
    ],
)
def test_missing_or_wrong_configuration_fails_with_one_line(env, message):
    result = start(**env)

    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert message in result.stderr


def test_the_monolith_calls_nobody_and_needs_no_urls():
    assert start(SERVICE="all").returncode == 0


@pytest.mark.parametrize("service", ["currencies", "languages"])
def test_a_currency_or_language_service_needs_only_the_country_service(service):
    assert start(SERVICE=service, COUNTRY_SERVICE_URL="http://127.0.0.1:1").returncode == 0
