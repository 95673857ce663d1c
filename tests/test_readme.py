"""Every command block in README.md works as written on a fresh clone.

Every ```sh block carries a marker, an HTML comment on the line just before its fence:

- `<!-- readme: run -->`: run as a newcomer runs it after the first block's `make run`, by
  test_the_run_blocks_work_as_written_in_a_fresh_clone: in a copy of the repository's files as
  they are on disk (without what git ignores: no .env, no var/), the repository's venv linked
  in, while `make run` serves there (started by the test on a free loopback port, which replaces
  the README's 8000 in the blocks). All run blocks go, in README order, into one bash session
  with `set -euo pipefail`, so a variable one block sets is there for the next. The environment
  is a newcomer's shell: none of the variables the settings read (no DATABASE_URL: the embedded
  SQLite default), no venv on PATH. `curl` fails on an HTTP error answer and gives up after
  10 s. A run block reaches loopback only and starts none of the long targets (`make test`,
  `split`, `compare`, ...).
- `<!-- readme: check -->`: needs a cluster, Docker, PostgreSQL, a server of its own or a long
  run, so it is only checked: bash syntax, and that it names only Makefile targets and
  variables, management commands, files and `.venv/bin/` programs that exist (or that
  `make install` makes), settings of the Configuration table, objects of `deploy/k8s`, and shell
  variables set before they are used.

A shell block without a marker fails the tests, and so does a fence without an info string.
Blocks in other languages (`text` diagrams, `promql`) are not run. The prose's inline code and
links are checked as a check block's words are.
"""

import fnmatch
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
import requests
from django.core.management import get_commands, load_command_class

from project import __version__
from project.bench.processes import wait_until_answering
from project.bench.split import free_ports
from tests.readme import ROOT, Block, Command, commands, logical_lines, read

MARKERS = {"run", "check"}
README = read()
SHELL_BLOCKS = [block for block in README.blocks if block.is_shell]
RUN_BLOCKS = [block for block in SHELL_BLOCKS if block.marker == "run"]
README_PORT = 8000
# Long or recursive: never started by the run blocks.
LONG_TARGETS = {"test", "test-sqlite", "test-postgres", "compare", "load", "split", "lint"}
NEWCOMER_VARIABLES = {"HOME", "USER", "LOGNAME", "SHELL", "TERM", "LANG", "LC_ALL", "TMPDIR"}
SHELL_VARIABLES = {"HOME", "PATH", "PWD", "USER"}
KUBECTL_REFERENCE = re.compile(
    r"^(deploy|deployment|statefulset|sts|job|pod|svc|service)/(?P<name>\$\w+|[a-z0-9-]+)$"
)


def repository_files() -> set[str]:
    """The repository's files as they are on disk, without what git ignores (the venv, .env,
    var/): what a commit of the working tree holds, and so a fresh clone of it."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {name for name in listed.split("\0") if name and os.path.lexists(ROOT / name)}


FILES = repository_files()
FOLDERS = {str(parent) for name in FILES for parent in Path(name).parents} - {"."}
TOP_DIRS = {name for name in FOLDERS if "/" not in name}
REPOSITORY_PATH = re.compile(
    rf"^(\./)?(?P<path>(?:{'|'.join(map(re.escape, sorted(TOP_DIRS)))})/\S*|\.venv/bin/\S+)$"
)
MANAGEMENT_COMMAND = re.compile(r"\bmanage\.py\s+(?P<command>[a-z]\w*)")
IMAGE_TAG = re.compile(r"\bcountry-provider:(?P<tag>\d[\w.]*)")


def makefile() -> tuple[set[str], set[str]]:
    """The Makefile's targets and variables."""
    text = (ROOT / "Makefile").read_text()
    targets = {
        target
        for line in re.findall(r"^([^\s#:=][^:=]*):(?!=)", text, re.MULTILINE)
        for target in line.split()
        if not target.startswith(".") or target == ".env"
    }
    variables = set(re.findall(r"^([A-Z_]+)\s*[?:+]?=", text, re.MULTILINE))
    return targets, variables | set(re.findall(r"\$\(([A-Z_]+)\)", text))


MAKE_TARGETS, MAKE_VARIABLES = makefile()


def documented_settings() -> tuple[set[str], tuple[str, ...]]:
    """The variables of the README's Configuration table: names, and prefixes (`OTEL_*`)."""
    names = set()
    for row in README.section("## Configuration").splitlines():
        if row.startswith("| `"):
            names.update(re.findall(r"`([A-Z][A-Z0-9_]*\*?)`", row.split("|")[1]))
    return {n for n in names if not n.endswith("*")}, tuple(
        n[:-1] for n in names if n.endswith("*")
    )


SETTINGS, SETTING_PREFIXES = documented_settings()


def is_setting(name: str) -> bool:
    return name in SETTINGS or name.startswith(SETTING_PREFIXES)


def kubernetes_names() -> set[str]:
    """Names of the objects deploy/k8s defines, also those its overlays rename."""
    names = set()
    for manifest in (ROOT / "deploy" / "k8s").rglob("*.yaml"):
        text = manifest.read_text()
        names.update(re.findall(r"^metadata:\n  name: ([\w-]+)", text, re.MULTILINE))
        names.update(re.findall(r"path: /metadata/name, value: ([\w-]+)", text))
    return names


KUBERNETES_NAMES = kubernetes_names()


def missing_path(word: str, *, kubectl: bool = False) -> str | None:
    """What is wrong with `word` if it names a file or folder of the repository, else None."""
    word = word.rstrip(".,;:)")
    if kubectl and (reference := KUBECTL_REFERENCE.match(word)):
        name = reference["name"]
        if name.startswith("$") or name in KUBERNETES_NAMES:
            return None
        return f"{word}: deploy/k8s defines no object {name!r}"
    match = REPOSITORY_PATH.match(word)
    if not match or "<" in word or "$" in word:
        return None
    path = match["path"].rstrip("/")
    if path.startswith(".venv/bin/"):
        exists = (ROOT / path).exists()
    elif any(char in path for char in "*?["):
        exists = bool(fnmatch.filter(FILES | FOLDERS, path))
    else:
        exists = path in FILES or path in FOLDERS
    return None if exists else f"{path}: no such file in the repository"


def command_problems(command: Command, *, kubectl: bool = False) -> list[str]:
    problems = []
    if command.sets_environment:
        problems += [
            f"{name}=: not a setting of the Configuration table"
            for name in command.assignments
            if not is_setting(name)
        ]
    words = command.words
    if command.program in {"python", "python3"} and "manage.py" in words:
        problems.append(
            f"{' '.join(words)}: name .venv/bin/python (a fresh shell's python has no Django)"
        )
    if command.program == "make":
        for word in words[1:]:
            name, is_variable, _ = word.partition("=")
            if word.startswith("-"):
                continue
            if is_variable and name not in MAKE_VARIABLES and not is_setting(name):
                problems.append(f"make {word}: the Makefile has no variable {name}")
            if not is_variable and word not in MAKE_TARGETS:
                problems.append(f"make {word}: the Makefile has no target {word!r}")
    if "manage.py" in words:
        problems += option_problems(words[words.index("manage.py") + 1 :])
    kubectl = kubectl or command.program == "kubectl"
    for word in words:
        value = word.partition("=")[2] if word.startswith("-") else word
        if problem := missing_path(value, kubectl=kubectl):
            problems.append(problem)
    return problems


def option_problems(arguments: list[str]) -> list[str]:
    """`manage.py NAME --option ...`: the options NAME's parser knows."""
    if not arguments or arguments[0] not in get_commands():
        return []  # no command named, or an unknown one (text_problems says so)
    name = arguments[0]
    parser = load_command_class(get_commands()[name], name).create_parser("manage.py", name)
    known = {option for action in parser._actions for option in action.option_strings}
    return [
        f"manage.py {name} {option}: no such option"
        for option in (word.partition("=")[0] for word in arguments[1:])
        if option.startswith("--") and option != "--" and option not in known
    ]


def text_problems(text: str, *, kubectl: bool = False) -> list[str]:
    """What prose or a comment names: paths, management commands, inline commands."""
    problems = [
        f"manage.py {name}: no such management command"
        for name in MANAGEMENT_COMMAND.findall(text)
        if name not in get_commands()
    ]
    for word in text.split():
        if problem := missing_path(word.strip("`'\"("), kubectl=kubectl):
            problems.append(problem)
    for span in re.findall(r"`([^`]+)`", text):
        with suppress(ValueError):  # not shell: a JSON example, a quoted message
            for command in commands(0, span):
                problems += command_problems(command, kubectl=kubectl)
    return problems


def block_problems(block: Block) -> list[str]:
    kubectl = "kubectl" in block.code
    problems: list[str] = []
    for line, code, comment in logical_lines(block):
        found = [f"README.md:{line}: {p}" for p in text_problems(comment, kubectl=kubectl)]
        found += [f"README.md:{line}: {p}" for p in text_problems(code, kubectl=kubectl)]
        for command in commands(line, code):
            found += [f"README.md:{line}: {p}" for p in command_problems(command, kubectl=kubectl)]
        problems += dict.fromkeys(found)  # once each, in order
    return problems


def test_every_fence_names_its_language():
    assert [str(block) for block in README.blocks if not block.info] == []


def test_every_shell_block_carries_a_marker_and_every_marker_a_shell_block():
    assert [(str(b), b.marker) for b in SHELL_BLOCKS if b.marker not in MARKERS] == []
    assert [str(b) for b in README.blocks if b.marker and not b.is_shell] == []
    assert [f"README.md:{line}" for line in README.stray_markers] == []


@pytest.mark.parametrize("block", SHELL_BLOCKS, ids=str)
def test_a_shell_block_is_bash(block):
    result = subprocess.run(
        ["bash", "-n"], input=block.code, capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("block", SHELL_BLOCKS, ids=str)
def test_a_shell_block_names_only_what_exists(block):
    assert block_problems(block) == []


def test_shell_variables_are_set_before_they_are_used():
    """In README order, as a newcomer pastes the blocks into one shell."""
    known = SHELL_VARIABLES | SETTINGS
    unset = []
    for block in SHELL_BLOCKS:
        for line, code, _ in logical_lines(block):
            for command in commands(line, code):
                known |= set(command.assignments) | {command.loop_variable or ""}
            used = re.findall(r"\$\{?([A-Za-z_]\w*)", re.sub(r"'[^']*'", "", code))
            unset += [f"README.md:{line}: ${name}" for name in used if name not in known]

    assert unset == []


def test_the_prose_names_only_what_exists():
    """Inline code and links: files, management commands, make targets, settings."""
    problems: list[str] = []
    for line, code in README.inline_code():
        problems += dict.fromkeys(f"README.md:{line}: {p}" for p in text_problems(f"`{code}`"))
    for line, target in README.links():
        if not re.match(r"^(https?:|#|mailto:)", target):
            path = target.partition("#")[0]
            if path not in FILES and path.rstrip("/") not in FOLDERS:
                problems.append(f"README.md:{line}: link to {target}: no such file")

    assert problems == []


def test_the_image_tag_the_readme_names_is_the_version():
    assert set(IMAGE_TAG.findall(README.text)) == {__version__}


def test_the_run_blocks_start_nothing_long_and_reach_loopback_only():
    problems = []
    for block in RUN_BLOCKS:
        for line, code, _ in logical_lines(block):
            for command in commands(line, code):
                if command.program == "make" and LONG_TARGETS & set(command.words[1:]):
                    problems.append(f"README.md:{line}: {' '.join(command.words)}")
                if "pytest" in command.words:
                    problems.append(f"README.md:{line}: the test suite")
            for host in re.findall(r"\b\w+://([^/:'\"\s]+)", code):
                if host not in {"127.0.0.1", "localhost"}:
                    problems.append(f"README.md:{line}: {host} is not loopback")

    assert problems == []
    assert RUN_BLOCKS, "no block is marked run"


def test_the_first_block_starts_the_product_with_make_run():
    """The run test starts the product the way the README's first command block does."""
    first = SHELL_BLOCKS[0]
    line, code, _ = next(logical_lines(first))

    assert [c.words for c in commands(line, code)] == [["make", "run"]]
    assert first.fence_line < RUN_BLOCKS[0].fence_line


def newcomer_environment() -> dict[str, str]:
    """A newcomer's shell: none of the settings' variables, no test settings, no venv on PATH."""
    venvs = {(ROOT / ".venv").resolve(), Path(sys.prefix).resolve()}
    path = [
        entry
        for entry in os.environ.get("PATH", "/usr/bin:/bin").split(os.pathsep)
        if entry and not any(Path(entry).resolve().is_relative_to(venv) for venv in venvs)
    ]
    kept = {k: v for k, v in os.environ.items() if k in NEWCOMER_VARIABLES or k.startswith("PYENV")}
    return {**kept, "PATH": os.pathsep.join(path)}


def fresh_clone(tree: Path, environment: dict[str, str]) -> Path:
    """The repository's files (FILES) and its venv, which `make` must find installed: the copies
    of the requirements are made older than the venv's stamp, so that nothing is installed into
    the shared venv."""
    installed = ROOT / ".venv" / ".installed"
    if not installed.exists():
        pytest.fail("the repository has no installed .venv: run `make install` first")
    for name in FILES:
        copy = tree / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, copy, follow_symlinks=False)
    (tree / ".venv").symlink_to(ROOT / ".venv")
    stamp = installed.stat().st_mtime - 1
    for requirements in tree.glob("requirements*.txt"):
        os.utime(requirements, (stamp, stamp))
    up_to_date = subprocess.run(
        ["make", "-q", ".venv/.installed"], cwd=tree, env=environment, check=False
    )
    assert up_to_date.returncode == 0, "make would install into the shared venv"
    return tree


@contextmanager
def make_run(tree: Path, environment: dict[str, str], port: int) -> Iterator[Path]:
    """`make run` serving in `tree` on loopback `port`, stopped as the README says, by Ctrl-C
    (SIGINT to its process group, as a terminal sends it), and killed if that fails."""
    log = tree / "make-run.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            ["make", "run", f"PORT={port}"],
            cwd=tree,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_answering(process, "make run", f"http://127.0.0.1:{port}/", log, timeout=120)
        yield log
    finally:
        stopped = stop_group(process)
    assert stopped, f"Ctrl-C did not stop make run within 10 s; see {log}"


def stop_group(process: subprocess.Popen) -> bool:
    """SIGINT to the process group, then SIGKILL to what is left after 10 s. True if SIGINT
    sufficed."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGINT)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            process.wait()
            return True
        process.poll()  # reap make itself once it ends
        time.sleep(0.1)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return False


def run_script(port: int) -> str:
    """The run blocks as one bash script whose line numbers are README.md's."""
    lines = [""] * len(README.text.splitlines())
    lines[0] = (
        "set -euo pipefail; trap 'echo \"README.md:$LINENO failed\" >&2' ERR; "
        'curl() { command curl --silent --show-error --fail-with-body --max-time 10 "$@" '
        "|| return; echo; }"
    )
    for block in RUN_BLOCKS:
        assert block.fence_line > 1
        for offset, code in enumerate(block.lines):
            lines[block.fence_line + offset] = code.replace(
                f"127.0.0.1:{README_PORT}", f"127.0.0.1:{port}"
            ).replace(f"localhost:{README_PORT}", f"localhost:{port}")
    return "\n".join(lines) + "\n"


def run_in(tree: Path, environment: dict[str, str], *command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, cwd=tree, env=environment, capture_output=True, text=True, timeout=120, check=False
    )


def test_manage_py_says_what_to_set_before_make_run(tmp_path):
    """Before `make run` wrote .env, a management command stops at once saying what to set."""
    environment = newcomer_environment()
    clone = fresh_clone(tmp_path / "clone", environment)

    result = run_in(clone, environment, ".venv/bin/python", "manage.py", "migrate")

    assert result.returncode != 0
    assert result.stderr.startswith("Configuration error:"), result.stderr
    assert "SECRET_KEY" in result.stderr
    assert "`make run` writes a .env" in result.stderr
    assert not (clone / "var").exists()


@pytest.mark.topology
def test_the_run_blocks_work_as_written_in_a_fresh_clone(tmp_path):
    environment = newcomer_environment()
    clone = fresh_clone(tmp_path / "clone", environment)
    port = free_ports(["make run"])["make run"]
    (clone / "README.md.sh").write_text(run_script(port))

    with make_run(clone, environment, port) as log:
        result = run_in(clone, environment, "bash", "README.md.sh")
        unknown = requests.get(f"http://127.0.0.1:{port}/no/such/page/", timeout=10)

    assert result.returncode == 0, (
        f"{result.stdout}\n{result.stderr}\nmake run's log:\n{log.read_text()[-3000:]}"
    )
    assert (clone / ".env").read_text().startswith("DEBUG=1\nSECRET_KEY=")
    # With DEBUG on, an unknown address is what users see: the product's 404 page, not Django's
    # list of URL patterns.
    assert unknown.status_code == 404
    assert '<nav class="site-nav"' in unknown.text
    assert "URLconf" not in unknown.text
