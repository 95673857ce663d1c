"""deploy/Dockerfile built for real, with no registry and no index, and the image's own rules."""

import re

APP_UID = 10001


def test_the_build_prints_no_warning(build):
    warnings = [line for line in build["output"].splitlines() if re.search(r"warn", line, re.I)]

    assert warnings == []


def test_the_runtime_holds_neither_pip_nor_setuptools(docker, build):
    found = docker.run(
        "run", "--rm", "--network", "host", build["tag"], "python", "-c",
        "import importlib.util as u; print([m for m in ('pip', 'setuptools') if u.find_spec(m)])",
    )  # fmt: skip
    base_pip = docker.run(
        "run", "--rm", "--network", "host", build["tag"], "sh", "-c",
        "command -v pip pip3 || echo none",
    )  # fmt: skip

    assert found.strip() == "[]"
    assert base_pip.strip() == "none"


def test_a_command_after_the_image_runs_instead_of_gunicorn(docker, build, tmp_path):
    """`docker run IMAGE python manage.py ...`, as the README and the migration Jobs use it."""
    output = docker.run(
        "run", "--rm", "--network", "host", "--read-only", "--tmpfs", "/tmp",
        "--env", "DEBUG=1", "--env", "DATA_DIR=/tmp/data", build["tag"],
        "python", "manage.py", "migrate", "--noinput",
    )  # fmt: skip

    assert "Applying countries.0001_initial... OK" in output


def test_the_default_command_is_gunicorn_as_the_user_of_the_manifests(docker, build):
    config = docker.run(
        "image", "inspect", build["tag"], "--format",
        "{{json .Config.Entrypoint}} {{json .Config.Cmd}} {{.Config.User}}",
    )  # fmt: skip

    assert config.split() == ["null", '["gunicorn","-c","deploy/gunicorn.conf.py"]', "10001:10001"]
