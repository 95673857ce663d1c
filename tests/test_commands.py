"""Management commands: migrate every owned alias, department users, reference data."""

import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from countries.models import Country
from currencies.models import Currency
from languages.models import Language
from project.topology import STAFF_GROUPS
from tests.processes import manage

pytestmark = pytest.mark.django_db(databases="__all__")


def run(*args, **options) -> list[str]:
    out = StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue().splitlines()


def test_migrate_without_database_migrates_every_owned_alias():
    lines = run("migrate")

    assert [line for line in lines if line.startswith("Database alias")] == [
        "Database alias 'default':",
        "Database alias 'countries':",
        "Database alias 'currencies':",
        "Database alias 'languages':",
    ]


def test_a_migration_created_one_group_per_department_with_its_permissions():
    groups = {group.name: group for group in Group.objects.all()}

    assert set(groups) >= set(STAFF_GROUPS.values())
    codenames = set(groups["Currency department"].permissions.values_list("codename", flat=True))
    assert codenames == {"add_currency", "change_currency", "delete_currency", "view_currency"}


def test_create_department_user_prints_the_token_last():
    lines = run("create_department_user", "carla", department="currencies", password="s3cret-pass")

    user = get_user_model().objects.get(username="carla")
    assert lines[-1] == Token.objects.get(user=user).key
    assert user.is_staff
    assert user.check_password("s3cret-pass")
    assert user.has_perm("currencies.add_currency")
    assert not user.has_perm("countries.add_country")


def test_create_department_user_again_updates_and_keeps_the_token():
    first = run("create_department_user", "carla", department="currencies")[-1]
    second = run("create_department_user", "carla", department="languages")[-1]

    user = get_user_model().objects.get(username="carla")
    assert first == second
    assert user.has_perm("languages.add_language")


def test_create_department_user_rejects_an_unknown_department():
    with pytest.raises(CommandError):
        call_command("create_department_user", "x", department="planets")


def test_load_reference_data_loads_iso_data_with_cldr_links():
    lines = run("load_reference_data")

    assert Country.objects.count() == 249
    assert Currency.objects.count() >= 150
    assert Language.objects.count() >= 180
    germany = Country.objects.get(code="DE")
    assert (germany.name, germany.currency_code, germany.language_code) == ("Germany", "EUR", "de")
    assert Country.objects.get(code="JP").currency_code == "JPY"
    assert (
        Country.objects.filter(currency_code__isnull=False, language_code__isnull=False).count()
        > 200
    )
    assert lines[-1].startswith("countries: 249 created")


def test_load_reference_data_loads_only_currencies_that_are_legal_tender():
    run("load_reference_data")

    codes = set(Currency.objects.values_list("code", flat=True))
    assert {"EUR", "USD", "JPY", "CHF", "GBP"} <= codes
    # Test codes, funds and precious metals: ISO 4217 codes no country pays with.
    assert not codes & {"XTS", "XXX", "CHE", "CHW", "USN", "XAU", "XAG", "XDR"}
    # pycountry has dropped the lev that CLDR still names for Bulgaria (see the README).
    assert Country.objects.get(code="BG").currency_code is None


def test_load_reference_data_twice_changes_nothing_and_says_so():
    run("load_reference_data")
    Country.objects.filter(code="DE").update(name="Deutschland")

    lines = run("load_reference_data")

    assert all("nothing to change" in line for line in lines), lines
    assert Country.objects.get(code="DE").name == "Deutschland"


def test_load_reference_data_fills_missing_links_only():
    run("load_reference_data")
    Country.objects.filter(code="FR").update(currency_code=None)
    Country.objects.filter(code="DE").update(language_code="en")

    lines = run("load_reference_data")

    assert Country.objects.get(code="FR").currency_code == "EUR"
    assert Country.objects.get(code="DE").language_code == "en"
    assert "countries: 0 created, 1 linked, 248 unchanged" in lines


def test_a_user_made_without_a_password_is_told_the_admin_login_will_not_work():
    err = StringIO()
    out = StringIO()

    call_command(
        "create_department_user", "tom", "--department", "languages", stdout=out, stderr=err
    )

    assert "has no password" in err.getvalue()
    assert "--password" in err.getvalue()
    assert not get_user_model().objects.get(username="tom").has_usable_password()


@pytest.mark.django_db(databases=[])
def test_make_writes_a_dot_env_so_that_manage_py_runs_as_the_readme_writes_it(tmp_path):
    """The README's `.venv/bin/python manage.py ...` after `make run`: no variable set by hand."""
    root = Path(__file__).resolve().parent.parent
    for name in ("manage.py", "Makefile"):
        shutil.copy(root / name, tmp_path)
    for package in ("project", "countries", "currencies", "languages", "portal"):
        shutil.copytree(
            root / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    bare = {"PATH": "/usr/bin:/bin"}

    def make_env() -> str:
        subprocess.run(
            ["make", "--no-print-directory", ".env", f"PYTHON_BIN={sys.executable}"],
            cwd=tmp_path,
            env=bare,
            check=True,
            capture_output=True,
        )
        return (tmp_path / ".env").read_text()

    written = make_env()
    migrated = manage(tmp_path, bare, "migrate", "--verbosity=0")
    user = manage(
        tmp_path,
        bare,
        "create_department_user",
        "carla",
        "--department",
        "countries",
        "--password",
        "a good one",
    )

    assert written.splitlines()[0] == "DEBUG=1"
    assert len(written.splitlines()[1].removeprefix("SECRET_KEY=")) >= 50
    assert migrated.returncode == 0, migrated.stderr
    assert user.returncode == 0, user.stderr
    assert len(user.stdout.splitlines()[-1]) == 40  # the API token
    assert make_env() == written  # never overwritten
