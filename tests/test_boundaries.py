"""The import contracts in pyproject.toml hold, and they catch a forbidden import."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("project", "countries", "currencies", "languages", "portal")
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def tree(tmp_path):
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def add_import(module: Path, statement: str) -> None:
    module.write_text(f"{statement}\n{module.read_text()}")


def test_the_contracts_are_kept(tree):
    result = lint_imports(tree)

    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("module", "statement", "broken"),
    [
        ("portal/views.py", "import countries.models", "The portal reads departments only"),
        ("countries/services.py", "import currencies.selectors", "Departments are independent"),
        (
            "languages/apis.py",
            "from currencies.models import Currency",
            "Departments are independent",
        ),
        ("currencies/apis.py", "import portal.views", "No department depends on the portal"),
        ("project/api.py", "import languages.models", "Shared plumbing in project/"),
    ],
)
def test_a_forbidden_import_breaks_a_contract(tree, module, statement, broken):
    add_import(tree / module, statement)

    result = lint_imports(tree)

    assert result.returncode != 0
    assert broken in result.stdout
    assert "BROKEN" in result.stdout
