"""The import contracts in pyproject.toml hold, and they catch a forbidden import."""

import shutil
import subprocess
import sys
import tomllib
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


ROOMS = "Rooms: bench tools, composition root, portal, departments, kernel"


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
        ("currencies/apis.py", "import portal.views", "currencies is not allowed to import portal"),
        (
            "project/kernel/rest.py",
            "import languages.models",
            "project.kernel is not allowed to import languages",
        ),
        (
            "project/kernel/ports.py",
            "import portal.pages",
            "project.kernel is not allowed to import portal",
        ),
        (
            "project/kernel/ports.py",
            "from project.topology import DEPARTMENTS",
            "project.kernel is not allowed to import project.topology",
        ),
        (
            "countries/selectors.py",
            "from project.topology import DEPARTMENTS",
            "countries is not allowed to import project.topology",
        ),
        (
            "project/urls.py",
            "import project.bench.split",
            "project.urls is not allowed to import project.bench",
        ),
        (
            "portal/pages.py",
            "import project.bench",
            "portal is not allowed to import project.bench",
        ),
    ],
)
def test_a_forbidden_import_breaks_a_contract(tree, module, statement, broken):
    add_import(tree / module, statement)

    result = lint_imports(tree)

    assert result.returncode != 0
    assert broken in result.stdout
    assert "BROKEN" in result.stdout


def test_the_composition_root_layer_names_every_module_of_the_root():
    """A new module in project/ must be placed in a room, or the rooms contract skips it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    rooms = next(c for c in config["contracts"] if c["name"] == ROOMS)
    listed = {name.strip() for layer in rooms["layers"] for name in layer.split(":")}
    root = {
        f"project.{path.stem}"
        for path in (ROOT / "project").iterdir()
        if (path.suffix == ".py" or (path / "__init__.py").exists())
        and path.stem not in ("__init__", "kernel", "bench")
    }

    assert root <= listed, sorted(root - listed)
    assert {"project.kernel", "project.bench"} <= listed
