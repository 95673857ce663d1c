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
        ({"SERVICE": "planets"}, "SERVICE='planets' is not one of"),
        ({"SECRET_KEY": "", "DEBUG": "0"}, "SECRET_KEY"),
    ],
)
def test_missing_or_wrong_configuration_fails_with_one_line(env, message):
    result = start(**env)

    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert message in result.stderr


@pytest.mark.parametrize("service", ["all", "currencies", "languages"])
def test_services_that_call_nobody_need_no_urls(service):
    assert start(SERVICE=service).returncode == 0
