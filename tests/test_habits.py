"""What a developer runs before committing is written down, and is what CI runs: the
pre-commit hooks and `make lint` check the same things."""

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PRE_COMMIT = str(Path(sys.executable).with_name("pre-commit"))


def hooks() -> dict[str, str]:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    return {hook["id"]: hook["entry"] for repo in config["repos"] for hook in repo["hooks"]}


def test_the_pre_commit_config_is_valid_and_runs_only_local_tools():
    result = subprocess.run(
        [PRE_COMMIT, "validate-config", ".pre-commit-config.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())

    assert result.returncode == 0, result.stdout + result.stderr
    assert [repo["repo"] for repo in config["repos"]] == ["local"]  # nothing to download


def test_pre_commit_and_make_lint_run_the_same_checks():
    lint = subprocess.run(
        ["make", "-n", "lint"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    checks = {
        "ruff-check": "ruff check",
        "ruff-format": "ruff format --check",
        "mypy": "mypy",
        "import-contracts": "lint-imports",
        "migrations": "manage.py makemigrations --check --dry-run",
    }

    for hook, command in checks.items():
        assert command in hooks()[hook]
        assert command in lint
