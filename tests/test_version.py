"""One version number: project.__version__, which pyproject.toml, the OpenAPI schema, the image
tag the Makefile builds and the tag the Kubernetes manifests deploy all read or repeat."""

import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from django.test import Client

from project import __version__

ROOT = Path(__file__).resolve().parent.parent


def test_pyproject_reads_the_version_from_the_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())

    assert "version" not in config["project"]
    assert config["project"]["dynamic"] == ["version"]
    assert config["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "project.__version__"}


def test_the_openapi_schema_has_the_version(db):
    schema = yaml.safe_load(Client().get("/api/schema/").content)

    assert schema["info"]["version"] == __version__


def test_the_makefile_builds_the_image_under_the_version():
    dry_run = subprocess.run(
        ["make", "-n", "image"], cwd=ROOT, capture_output=True, text=True, check=True
    )

    assert f"-t country-provider:{__version__} " in dry_run.stdout


@pytest.mark.parametrize("unit", ["base/web", "components/events"])
def test_the_manifests_deploy_the_image_of_the_version(unit):
    kustomization = yaml.safe_load((ROOT / f"deploy/k8s/{unit}/kustomization.yaml").read_text())

    assert [image["newTag"] for image in kustomization["images"]] == [__version__]
