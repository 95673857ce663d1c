"""deploy/gunicorn.conf.py as gunicorn reads it: threads where a service waits on others."""

import pytest
from gunicorn.config import Config

from tests.deploy.manifests import REPO

CONFIG = REPO / "deploy" / "gunicorn.conf.py"


def gunicorn_settings(monkeypatch, **env: str) -> Config:
    for name in ("SERVICE", "GUNICORN_THREADS", "GUNICORN_WORKERS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    namespace = {"__file__": str(CONFIG)}
    exec(compile(CONFIG.read_text(), str(CONFIG), "exec"), namespace)  # as gunicorn -c does
    config = Config()
    for name, value in namespace.items():
        if name in config.settings:
            config.set(name, value)
    return config


@pytest.mark.parametrize(
    ("service", "threads", "worker"),
    [
        ("portal", 4, "ThreadWorker"),
        ("countries", 4, "ThreadWorker"),
        ("currencies", 1, "SyncWorker"),
        ("languages", 1, "SyncWorker"),
        ("all", 1, "SyncWorker"),
    ],
)
def test_a_service_that_calls_others_gets_threads(monkeypatch, service, threads, worker):
    config = gunicorn_settings(monkeypatch, SERVICE=service)

    assert config.threads == threads
    assert config.worker_class.__name__ == worker


def test_the_environment_sets_workers_and_threads(monkeypatch):
    config = gunicorn_settings(
        monkeypatch, SERVICE="currencies", GUNICORN_THREADS="3", GUNICORN_WORKERS="5"
    )

    assert (config.threads, config.workers) == (3, 5)
