"""The kustomize tree renders, and every object is valid Kubernetes, strictly (no unknown field)."""

import os
import shutil
from pathlib import Path

import pytest
from kubernetes_validate import utils as schemas

from tests.deploy.manifests import K8S, OVERLAYS, Manifest, kustomize

# The newest release the bundled schemas know, and an older one still in wide use (kind and
# minikube default to recent releases; managed clusters lag behind).
KUBERNETES_VERSIONS = (schemas.latest_version(), "1.30.0")
DEPARTMENTS_OR_ALL = {"countries", "currencies", "languages", "all"}


def validation_errors(manifest: Manifest, version: str) -> list[str]:
    errors = []
    for obj in manifest.objects:
        where = f"{obj['kind']}/{obj['metadata']['name']}"
        try:
            schemas.validate(obj, version, strict=True)
        except schemas.ValidationError as error:
            path = ".".join(str(p) for p in error.path)
            errors.append(f"{where}: {path}: {error.message}")
        except schemas.SchemaNotFoundError as error:
            errors.append(f"{where}: {error.message}")
    return errors


def with_components(tmp_path: Path, overlay: str, *components: str) -> Path:
    """A kustomization of an overlay plus extra components, as an operator would add them."""
    directory = tmp_path / f"{overlay}-with-{'-'.join(components)}"
    directory.mkdir()
    relative = lambda path: os.path.relpath(path, directory)  # noqa: E731
    lines = [
        "apiVersion: kustomize.config.k8s.io/v1beta1",
        "kind: Kustomization",
        "resources:",
        f"  - {relative(K8S / 'overlays' / overlay)}",
        "components:",
        *(f"  - {relative(K8S / 'components' / c)}" for c in components),
    ]
    (directory / "kustomization.yaml").write_text("\n".join(lines) + "\n")
    return directory


@pytest.mark.parametrize("name", OVERLAYS)
def test_each_overlay_renders_into_a_namespace_of_its_own(overlays, name):
    manifest = overlays[name]

    assert manifest.namespace == f"country-provider-{name}"
    for obj in manifest.objects:
        if obj["kind"] != "Namespace":
            assert obj["metadata"]["namespace"] == manifest.namespace, obj["metadata"]["name"]


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("name", OVERLAYS)
def test_every_rendered_object_validates_strictly(overlays, name, version):
    assert validation_errors(overlays[name], version) == []


def test_strict_validation_rejects_an_unknown_field(overlays):
    # The check above would be worthless if a misspelt field passed.
    deployment = overlays["monolith"].of_kind("Deployment")[0]
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    container["readinesProbe"] = container.pop("readinessProbe")
    try:
        errors = validation_errors(Manifest([deployment]), KUBERNETES_VERSIONS[0])
    finally:
        container["readinessProbe"] = container.pop("readinesProbe")

    assert len(errors) == 1
    assert "readinesProbe" in errors[0]


@pytest.mark.parametrize("name", OVERLAYS)
def test_the_classroom_component_opens_the_departments_only(kubectl, tmp_path, name):
    manifest = Manifest(kustomize(kubectl, with_components(tmp_path, name, "classroom")))

    assert validation_errors(manifest, KUBERNETES_VERSIONS[0]) == []
    for pod, container in manifest.app_containers():
        env = manifest.env(container)
        if env["SERVICE"] in DEPARTMENTS_OR_ALL:
            assert env["CORS_ALLOWED_ORIGINS"] == "http://localhost:4200", pod.name
            assert env["V1_ALLOW_ANONYMOUS_WRITES"] == "true", pod.name
        else:
            assert "CORS_ALLOWED_ORIGINS" not in env, pod.name
            assert "V1_ALLOW_ANONYMOUS_WRITES" not in env, pod.name


@pytest.mark.parametrize("name", OVERLAYS)
def test_a_managed_database_is_one_line_away(kubectl, tmp_path, name):
    """As the README says: remove the postgres component from the overlay, set DATABASE_URL in
    the secret file. Nothing of the in-cluster database remains, and every app container
    gets the managed database's URL."""
    tree = tmp_path / "k8s"
    shutil.copytree(K8S, tree)
    kustomization = tree / "overlays" / name / "kustomization.yaml"
    text = kustomization.read_text()
    assert text.count("  - ../../components/postgres\n") == 1
    kustomization.write_text(text.replace("  - ../../components/postgres\n", ""))
    secrets = tree / "base" / "secrets.dev.env"
    url = "postgres://app:pw@db.example.internal:5432/country_provider?sslmode=require"
    secrets.write_text(secrets.read_text() + f"DATABASE_URL={url}\n")

    manifest = Manifest(kustomize(kubectl, tree / "overlays" / name))

    assert validation_errors(manifest, KUBERNETES_VERSIONS[0]) == []
    assert not [o for o in manifest.objects if "postgres" in o["metadata"]["name"]]
    for pod, container in manifest.app_containers():
        assert manifest.env(container)["DATABASE_URL"] == url, pod.name
