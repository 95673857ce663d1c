"""deploy/Dockerfile and .dockerignore, checked without a Docker engine: parsed with BuildKit's
own parser (the `dockerfile` package), every COPY source present in the build context."""

import re
import subprocess

import pytest

from project.topology import DEPARTMENTS
from tests.deploy.manifests import REPO, dockerfile_stages, image_tag
from tests.processes import manage as run_manage

INSTRUCTIONS = {
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
    "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
}  # fmt: skip
APP_UID = 10001


def dockerignore_patterns() -> list[tuple[bool, re.Pattern]]:
    """(excludes, regex) per .dockerignore line, with Docker's glob rules: `*` and `?` stay
    within one path element, `**` crosses them; a pattern also matches everything below."""
    patterns = []
    for raw in (REPO / ".dockerignore").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        excludes = not line.startswith("!")
        glob = line.lstrip("!").strip("/")
        regex, i = "", 0
        while i < len(glob):
            if glob.startswith("**/", i):
                regex, i = regex + "(.*/)?", i + 3
            elif glob.startswith("**", i):
                regex, i = regex + ".*", i + 2
            elif glob[i] == "*":
                regex, i = regex + "[^/]*", i + 1
            elif glob[i] == "?":
                regex, i = regex + "[^/]", i + 1
            elif glob[i] == "[":
                end = glob.index("]", i)
                regex, i = regex + glob[i : end + 1], end + 1
            else:
                regex, i = regex + re.escape(glob[i]), i + 1
        patterns.append((excludes, re.compile(f"{regex}(/.*)?")))
    return patterns


def in_build_context(path: str) -> bool:
    included = True
    for excludes, pattern in dockerignore_patterns():
        if pattern.fullmatch(path):
            included = not excludes
    return included


def tracked_files(source: str) -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "--", source],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return listed.stdout.split()


@pytest.fixture(scope="module")
def stages():
    return dockerfile_stages()


def test_the_dockerfile_parses_into_known_instructions(stages):
    assert len(stages) >= 2, "multi-stage: a build stage and a slim runtime stage"
    for stage in stages:
        assert {i.cmd for i in stage.instructions} <= INSTRUCTIONS


def test_every_base_image_is_a_pinned_slim_python(stages):
    for stage in stages:
        tag = image_tag(stage.image)
        assert stage.image.startswith("python:"), stage.image
        assert tag and tag != "latest" and "slim" in tag, stage.image
        assert re.match(r"3\.1[1-9]\.\d+-slim", tag), f"{stage.image}: pin the patch version"


def test_the_runtime_runs_gunicorn_as_a_numeric_non_root_user(stages):
    runtime = stages[-1]

    assert runtime.last("USER").value == (f"{APP_UID}:{APP_UID}",)
    # A command, not an entrypoint: `docker run IMAGE python manage.py migrate` replaces it.
    assert runtime.last("ENTRYPOINT") is None
    assert runtime.last("CMD").json
    assert list(runtime.last("CMD").value) == ["gunicorn", "-c", "deploy/gunicorn.conf.py"]
    assert runtime.workdir == "/app"  # so STATIC_ROOT defaults to /app/staticfiles
    assert runtime.last("EXPOSE").value == ("8000",)
    assert runtime.env["PYTHONDONTWRITEBYTECODE"] == "1"  # the root filesystem is read-only
    assert all("pip install" not in r.value[0] for r in runtime.all("RUN"))


def test_no_parser_directive_makes_buildkit_pull_a_frontend_image():
    lines = (REPO / "deploy" / "Dockerfile").read_text().splitlines()
    directives = [line for line in lines if re.match(r"#\s*syntax\s*=", line, re.IGNORECASE)]

    assert directives == []


def test_pip_in_the_build_takes_its_settings_from_build_arguments(stages):
    """README, "The image": an index, a CA bundle, or the wheelhouse with no index at all."""
    build = stages[0]
    args = {a.value[0].partition("=")[0] for a in build.all("ARG")}

    assert {"PIP_INDEX_URL", "PIP_CERT", "PIP_NO_INDEX", "PIP_FIND_LINKS"} <= args
    assert ("deploy/wheelhouse/", "/tmp/wheelhouse/") in [c.value for c in build.all("COPY")]


def test_the_kubernetes_pods_run_as_the_image_user(overlays):
    for manifest in overlays.values():
        for pod, container in manifest.app_containers():
            assert pod.spec["securityContext"]["runAsUser"] == APP_UID, pod.name
            assert container["securityContext"]["runAsUser"] == APP_UID, pod.name


def test_the_build_installs_the_runtime_pins_and_collects_static_files(stages):
    build = stages[0]
    runs = [r.value[0] for r in build.all("RUN")]

    assert any(re.search(r"/pip .*\binstall\b.* -r /tmp/requirements.txt", r) for r in runs)
    assert any(
        "DEBUG=0" in r and "SECRET_KEY=build-only" in r
        and "manage.py collectstatic --noinput" in r
        for r in runs
    )  # fmt: skip
    assert ("requirements.txt", "/tmp/requirements.txt") in [c.value for c in build.all("COPY")]


def test_the_image_holds_the_source_the_product_runs_from(stages):
    copied = {c.value[0].rstrip("/") for stage in stages for c in stage.all("COPY") if not c.flags}

    assert {"manage.py", "project", "portal", *DEPARTMENTS, "deploy/gunicorn.conf.py"} <= copied


DEVELOPMENT_TOOLS = "project/bench/"


def test_every_copy_source_exists_and_is_in_the_build_context(stages):
    for stage in stages:
        for copy in stage.all("COPY"):
            if any(flag.startswith("--from=") for flag in copy.flags):
                continue
            for source in copy.value[:-1]:
                files = tracked_files(source)
                assert files, f"COPY {source}: nothing in git"
                for file in files:
                    if file.startswith(DEVELOPMENT_TOOLS):
                        assert not in_build_context(file), f"{file} would be in the image"
                    else:
                        assert in_build_context(file), f"{file} (COPY {source}) is ignored"


@pytest.mark.parametrize(
    "path",
    [
        ".git/HEAD",
        ".venv/bin/python",
        ".env",
        "var/db/all/default.sqlite3",
        "staticfiles/admin/css/base.css",
        "tests/conftest.py",
        "test-artifacts/portal.png",
        "deploy/k8s/base/secrets.dev.env",
        "project/__pycache__/settings.cpython-311.pyc",
        "countries/.env",
        "Makefile",
        "project/bench/split.py",
        "project/bench/compare/run.py",
        "project/bench/management/commands/compare_topologies.py",
    ],
)
def test_the_build_context_leaves_out_what_the_image_must_not_hold(path):
    assert not in_build_context(path)


def test_the_gunicorn_config_of_the_command_is_the_one_in_the_repository(stages):
    config = stages[-1].last("CMD").value[2]
    assert (REPO / config).is_file()


def test_the_product_runs_from_the_build_context_alone(tmp_path):
    """What the image holds (the build context) is the whole product: checks pass, the URLs
    load, and no development tool comes along."""
    for file in tracked_files("."):
        if in_build_context(file) and (REPO / file).is_file():
            (tmp_path / file).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / file).write_bytes((REPO / file).read_bytes())
    env = {"PATH": "/usr/bin:/bin", "DEBUG": "1", "DATA_DIR": str(tmp_path / "data")}

    def manage(*args: str) -> str:
        result = run_manage(tmp_path, env, *args)
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert not (tmp_path / "project" / "bench").exists()
    manage("check")
    commands = manage("help", "--commands").split()
    assert {"migrate", "load_reference_data", "create_department_user"} <= set(commands)
    assert not {"compare_topologies", "run_split", "load_test", "profile_page"} & set(commands)
