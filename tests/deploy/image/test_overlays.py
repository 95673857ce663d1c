"""Both overlays, rendered, run as containers of the image the way the kubelet runs them: their
own command, env, user, read-only root filesystem, no capabilities, no privilege escalation, a
tmpfs per emptyDir; migration Jobs first, then the Deployments; a fresh PostgreSQL database."""

import json

import pytest

from tests.deploy.image.docker import container_name
from tests.deploy.image.overlay import answer, running_overlay, stylesheets
from tests.deploy.manifests import OVERLAYS

APP_UID = "10001"


@pytest.fixture(scope="module", params=OVERLAYS)
def overlay(request, overlays, docker, build, postgres_url, tmp_path_factory):
    with running_overlay(
        request.param,
        overlays[request.param],
        docker,
        build["tag"],
        postgres_url,
        tmp_path_factory.mktemp(request.param),
    ) as running:
        yield running


def test_the_migration_jobs_end_and_end_again_with_nothing_to_apply(overlay):
    assert overlay.job_output.keys() == {job.name for job in overlay.jobs}
    for name, (first, again) in overlay.job_output.items():
        assert "Applying" in first, name
        assert "Applying" not in again, name
        assert "No migrations to apply" in again, name


def test_every_probe_of_every_deployment_answers_as_rendered(overlay):
    for pod in overlay.deployments:
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            status, _body = overlay.probe(pod, probe)
            assert status == 200, f"{pod.name} {probe}"


def test_a_portal_page_with_its_stylesheet_through_the_ingress(overlay):
    status, _headers, page = overlay.through_ingress("/")
    (stylesheet,) = stylesheets(page)
    css_status, css_headers, css = overlay.through_ingress(stylesheet)

    assert status == 200
    assert css_status == 200
    assert css_headers["Content-Type"].startswith("text/css")
    assert b"body" in css


def test_kubectl_port_forward_to_the_portal_serves_pages(overlay):
    """port-forward connects to the pod's port; the browser's Host is localhost, no proxy."""
    portal = next(p for p in overlay.deployments if p.name in ("portal", "country-provider"))
    port = portal.container_port("http")

    status, headers, page = answer(
        overlay.addresses[portal.name], port, "/", {"Host": "localhost:8000"}
    )

    assert status == 200, headers.get("Location")
    assert b"<html" in page


def test_the_api_answers_after_load_reference_data(overlay):
    names = {p.name for p in overlay.deployments}
    # Countries checks its links with the others, so it loads last (README, "Data and users").
    in_order = [d for d in ("currencies", "languages", "countries") if d in names]
    for deployment in in_order or ["country-provider"]:
        overlay.manage(deployment, "load_reference_data")

    status, _headers, body = overlay.through_ingress("/api/countries/DE/")

    assert status == 200
    germany = json.loads(body)
    assert (germany["name"], germany["currency_code"], germany["language_code"]) == (
        "Germany",
        "EUR",
        "de",
    )


def test_every_process_runs_as_the_image_user(overlay):
    for pod in overlay.deployments:
        table = overlay.docker.run("top", container_name(pod), "-o", "pid,uid,args")
        uids = {line.split()[1] for line in table.splitlines()[1:] if line.strip()}
        assert uids == {APP_UID}, f"{pod.name}:\n{table}"


def test_nothing_is_written_to_the_root_filesystem(overlay):
    for pod in overlay.deployments:
        assert overlay.docker.run("diff", container_name(pod)) == "", pod.name


def test_every_container_is_still_up_and_never_restarted(overlay):
    for pod in overlay.deployments:
        state = json.loads(
            overlay.docker.run("inspect", "--format", "{{json .State}}", container_name(pod))
        )
        assert state["Running"] and not state["Restarting"], (
            f"{pod.name}: {state}\n{overlay.logs(pod)}"
        )
        assert state["ExitCode"] == 0
