"""deploy/gunicorn.conf.py as gunicorn reads it: gevent workers, bounded keep-alive."""

import os
import shutil

import gevent.monkey
import pytest
from gunicorn.config import Config

from tests.deploy.manifests import REPO

CONFIG = REPO / "deploy" / "gunicorn.conf.py"


def gunicorn_settings(monkeypatch, **env: str) -> Config:
    # What the file sets in the environment (its metrics directory) stays in this test.
    monkeypatch.setattr(os, "environ", os.environ.copy())
    for name in ("SERVICE", "GUNICORN_WORKER_CONNECTIONS", "GUNICORN_WORKERS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    # The file patches the standard library for gevent, as gunicorn's master needs; this test
    # process must stay unpatched.
    patched = []
    monkeypatch.setattr(gevent.monkey, "patch_all", lambda: patched.append(True))
    namespace = {"__file__": str(CONFIG)}
    exec(compile(CONFIG.read_text(), str(CONFIG), "exec"), namespace)  # as gunicorn -c does
    assert patched == [True]
    shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    config = Config()
    for name, value in namespace.items():
        if name in config.settings:
            config.set(name, value)
    return config


@pytest.mark.parametrize("service", ["portal", "countries", "currencies", "languages", "all"])
def test_every_service_runs_gevent_workers_with_a_bounded_keep_alive(monkeypatch, service):
    config = gunicorn_settings(monkeypatch, SERVICE=service)

    assert config.worker_class.__name__ == "GeventWorker"
    assert config.worker_connections == 1000
    assert config.keepalive == 5  # also the time a request's head may take to arrive
    assert config.preload_app


def test_the_environment_sets_workers_and_connections(monkeypatch):
    config = gunicorn_settings(
        monkeypatch, SERVICE="currencies", GUNICORN_WORKER_CONNECTIONS="300", GUNICORN_WORKERS="5"
    )

    assert (config.worker_connections, config.workers) == (300, 5)
