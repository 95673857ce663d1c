"""The rendered microservices overlay, run: its migration Jobs, then its Deployments (four
services and their event workers) as local processes with their commands and env, NATS as a
local nats-server, reached the way the Ingress routes requests."""

import re
import time

import pytest
import requests

from project.topology import DEPARTMENTS
from tests.deploy.cluster import LocalCluster
from tests.deploy.manifests import ingress_hosts
from tests.flows import create_and_link_quenzaland, schemas_from_the_docs_page

pytestmark = pytest.mark.topology


@pytest.fixture(scope="module")
def cluster(overlays, tmp_path_factory, deploy_database_url):
    cluster = LocalCluster(
        overlays["microservices"], tmp_path_factory.mktemp("cluster"), deploy_database_url
    )
    try:
        cluster.collect_static()  # the image build does this
        cluster.run_jobs()
        cluster.start_deployments()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="module")
def host(cluster) -> str:
    (host,) = ingress_hosts(cluster.network.ingresses)
    return host


@pytest.fixture(scope="module")
def tokens(cluster) -> dict[str, str]:
    """A staff user per department, made in that service's Deployment (as with kubectl exec)."""
    output = cluster.manage_each(
        {d: ("create_department_user", f"{d}-staff", "--department", d) for d in DEPARTMENTS}
    )
    return {department: out.splitlines()[-1] for department, out in output.items()}


def ingress_client(cluster) -> requests.Session:
    """A client that reaches the cluster through its Ingress (the proxy stands in for it)."""
    session = requests.Session()
    session.trust_env = False
    session.proxies = {"http": cluster.network.url}
    return session


@pytest.fixture
def http(cluster):
    with ingress_client(cluster) as session:
        yield session


def test_every_probe_of_every_deployment_passes(cluster):
    for pod in cluster.deployments():
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            with requests.get(cluster.probe_url(pod, probe), timeout=5) as answer:
                assert answer.status_code == 200, f"{pod.name} {probe}"


@pytest.fixture(scope="module")
def linked_country(cluster, host, tokens):
    """Quenzaland created and linked through the Ingress: linking makes countries check both
    codes with the other departments. The portal shows it once the events have reached the
    replicas of countries and the portal."""
    with ingress_client(cluster) as http:
        code = create_and_link_quenzaland(http, lambda department: f"http://{host}", tokens)
        deadline = time.monotonic() + 60
        while "Quetzal Crown" not in http.get(f"http://{host}/", timeout=15).text:
            assert time.monotonic() < deadline, "the events did not reach the portal"
            time.sleep(0.2)
    return code


def test_a_country_linked_through_the_ingress_shows_on_the_portal(http, host, linked_country):
    base = f"http://{host}"
    linked = http.get(f"{base}/api/linked-countries/", timeout=15).json()
    portal = http.get(f"{base}/", timeout=15)

    assert linked["unavailable"] == []
    assert linked["results"] == [
        {
            "code": "QZ",
            "name": "Quenzaland",
            "names": {},
            "currency": {"code": "KZQ", "name": "Quetzal Crown", "names": {}},
            "language": {"code": "qz", "name": "Quenya", "names": {}},
        }
    ]
    assert portal.status_code == 200
    assert "unavailable" not in portal.text
    for name in ("Quenzaland", "Quetzal Crown", "Quenya"):
        assert name in portal.text


def test_the_compatibility_api_answers_through_the_ingress(http, host, linked_country):
    base = f"http://{host}"
    for path, expected in (
        ("/api/v1/countries", "Quenzaland"),
        ("/api/v1/currencies", "KZQ"),
        ("/api/v1/languages", "Quenya"),
        ("/api/v1/countries-with-languages-and-currencies", "Quetzal Crown"),
    ):
        response = http.get(f"{base}{path}", timeout=15)
        assert response.status_code == 200, path
        assert expected in response.text, path


def test_a_portal_page_calls_countries_only_the_rest_comes_from_replicas(
    http, host, cluster, linked_country
):
    cluster.network.hops.clear()

    http.get(f"http://{host}/", timeout=15)

    called = {(h, p.rstrip("/"), w) for h, p, w in cluster.network.hops}
    assert called == {
        (host, "", "portal"),
        ("countries:8000", "/api/linked-countries", "countries"),
    }


def test_a_link_write_asks_the_owners_by_their_service_names(
    http, host, cluster, tokens, linked_country
):
    cluster.network.hops.clear()

    relinked = http.patch(
        f"http://{host}/api/countries/QZ/",
        json={"currency_code": "KZQ", "language_code": "qz"},
        headers={"Authorization": f"Token {tokens['countries']}"},
        timeout=15,
    )

    assert relinked.status_code == 200, relinked.text
    called = {(h, p.rstrip("/"), w) for h, p, w in cluster.network.hops}
    assert ("currencies:8000", "/api/currencies", "currencies") in called
    assert ("languages:8000", "/api/languages", "languages") in called


@pytest.mark.parametrize(
    ("path", "cookie"),
    [
        ("/admin/countries/login/", "countries_csrftoken"),
        ("/admin/currencies/login/", "currencies_csrftoken"),
        ("/admin/languages/login/", "languages_csrftoken"),
        ("/admin/login/", "portal_csrftoken"),
    ],
)
def test_each_admin_site_is_served_by_its_own_service(http, host, path, cookie):
    response = http.get(f"http://{host}{path}", timeout=15)

    assert response.status_code == 200
    assert cookie in response.cookies


def test_the_portal_serves_the_static_files_of_every_page(http, host):
    home = http.get(f"http://{host}/", timeout=15).text
    admin = http.get(f"http://{host}/admin/countries/login/", timeout=15).text
    assets = set(re.findall(r'(?:href|src)="(/static/[^"]+)"', home + admin))

    assert any("admin/" in a for a in assets) and any("admin/" not in a for a in assets)
    for asset in assets:
        assert http.get(f"http://{host}{asset}", timeout=15).status_code == 200, asset


def test_the_ingress_sends_the_favicon_and_unknown_addresses_to_the_portal(http, host):
    icon = http.get(f"http://{host}/favicon.ico", timeout=15)
    unknown = http.get(f"http://{host}/no/such/page/", timeout=15)

    assert icon.status_code == 200
    assert icon.headers["Content-Type"] == "image/svg+xml"
    assert unknown.status_code == 404
    assert '<nav class="site-nav"' in unknown.text


def test_the_docs_through_the_ingress_show_each_department_and_try_it_out_reaches_it(http, host):
    schemas = schemas_from_the_docs_page(http, f"http://{host}")

    assert sorted(schemas) == sorted(DEPARTMENTS)
    for department, schema in schemas.items():
        assert schema["info"]["title"] == f"Country Provider API ({department})"
        # No servers: "Try it out" asks this host at the paths shown; the Ingress routes them.
        assert "servers" not in schema
        reads = [
            p for p, operations in schema["paths"].items() if "{" not in p and "get" in operations
        ]
        assert f"/api/{department}/" in reads
        for path in reads:
            assert http.get(f"http://{host}{path}", timeout=15).status_code == 200, path
