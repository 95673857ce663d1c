import os
import subprocess
import sys

import pytest

from tests.deploy.image.docker import Docker
from tests.deploy.manifests import APP_IMAGE, REPO

# What stands in for the official Python image: scripts/ensure-base-image.
BASE_IMAGE = "country-provider-python:bookworm"


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.is_relative_to(REPO / "tests" / "deploy" / "image"):
            item.add_marker(pytest.mark.image)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("the image test runs the overlays on PostgreSQL: set DATABASE_URL")
    return url


@pytest.fixture(scope="session")
def docker(postgres_url):
    engine = Docker()
    engine.remove_labelled_containers()  # what an interrupted run left
    yield engine
    engine.remove_labelled_containers()
    assert engine.labelled_containers() == []


def make(docker: Docker, *args: str, timeout: float) -> str:
    result = subprocess.run(
        ["make", "--no-print-directory", *args, f"PYTHON_BIN={sys.executable}"],
        cwd=REPO,
        env=docker.env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"make {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


@pytest.fixture(scope="session")
def build(docker, overlays) -> dict:
    """deploy/Dockerfile built as `make image` builds it (host networking), on the local base
    image, with pip told to use no index: it installs only the wheels `make wheelhouse`
    fetched on this machine. The tag is the one the overlays render."""
    (tag,) = {c["image"] for m in overlays.values() for _pod, c in m.app_containers()}
    assert tag.startswith(f"{APP_IMAGE}:")
    created = subprocess.run(
        [REPO / "scripts" / "ensure-base-image", BASE_IMAGE],
        env=docker.env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert created.returncode == 0, created.stderr
    version = docker.run(
        "run", "--rm", "--network", "host", BASE_IMAGE,
        "python3", "-c", "import sys; print('%d.%d' % sys.version_info[:2])",
    ).strip()  # fmt: skip
    make(docker, "wheelhouse", f"WHEEL_PYTHON={version}", timeout=600)
    build_args = " ".join(
        [
            "--progress plain",
            f"--build-arg PYTHON_IMAGE={BASE_IMAGE}",
            "--build-arg PIP_NO_INDEX=1",
            "--build-arg PIP_FIND_LINKS=/tmp/wheelhouse",
        ]
    )
    output = make(
        docker, "image", f"DOCKER={docker.client}", f"IMAGE={tag}",
        f"IMAGE_BUILD_ARGS={build_args}", timeout=900,
    )  # fmt: skip
    return {"tag": tag, "output": output}
