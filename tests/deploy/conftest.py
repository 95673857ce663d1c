from pathlib import Path

import pytest

from tests.deploy.manifests import K8S, OVERLAYS, Manifest, find_kubectl, kustomize
from tests.topology.conftest import scratch_database


@pytest.fixture(scope="session")
def kubectl() -> str:
    found = find_kubectl()
    if found is None:
        pytest.skip(
            "kubectl (with its built-in kustomize) is not installed: run scripts/ensure-kubectl"
        )
    return found


@pytest.fixture(scope="session")
def render(kubectl):
    """`kubectl kustomize` of a directory, once per directory and session."""
    cache: dict[Path, Manifest] = {}

    def render(directory: Path) -> Manifest:
        if directory not in cache:
            cache[directory] = Manifest(kustomize(kubectl, directory))
        return cache[directory]

    return render


@pytest.fixture(scope="session")
def overlays(render) -> dict[str, Manifest]:
    return {name: render(K8S / "overlays" / name) for name in OVERLAYS}


@pytest.fixture(params=OVERLAYS)
def overlay(request, overlays) -> Manifest:
    return overlays[request.param]


@pytest.fixture(scope="session")
def deploy_database_url():
    """On a PostgreSQL test run, a fresh database for the services started from the manifests
    (each keeps its own schemas in it), dropped afterwards; on SQLite, none."""
    with scratch_database("country_provider_deploy_test") as url:
        yield url
