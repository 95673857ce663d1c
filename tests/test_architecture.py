"""The diagram in docs/architecture.md is what the import graph gives, and a new arrow breaks it."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "architecture_diagram.py"
PACKAGES = ("project", "countries", "currencies", "languages", "portal")


def check(*options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--check", *options],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_diagram_is_what_the_code_gives() -> None:
    result = check()

    assert result.returncode == 0, result.stdout + result.stderr


def test_a_new_arrow_breaks_the_diagram(tmp_path: Path) -> None:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    (tmp_path / "docs").mkdir()
    shutil.copy(ROOT / "docs" / "architecture.md", tmp_path / "docs")
    ports = tmp_path / "project" / "kernel" / "ports.py"
    ports.write_text(f"import portal.views\n{ports.read_text()}")

    result = check("--root", str(tmp_path))

    assert result.returncode == 1, result.stdout + result.stderr
    assert "in the code only: kernel --> portal" in result.stdout
