"""The project's settings with what a test run needs and a developer's shell may lack."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")
# Production behaviour unless a test says otherwise, whatever a developer's .env holds (the
# settings read .env, but never over a variable that is set); processes tests start inherit it.
os.environ.setdefault("DEBUG", "false")
# The test client speaks plain HTTP.
os.environ.setdefault("HTTPS", "false")
# Metrics on, as in the cluster: the tests count what they do.
os.environ.setdefault("METRICS", "true")

from project.settings import *  # noqa: F403

# The image collects static files with a manifest; tests collect none.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# In-process tests count rate limits in this process's memory, and need no database for it;
# tests/topology/test_rate_limits.py checks the shared table with several gunicorn workers.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Race tests run twenty requests at once in this process, each holding its connection until
# the others catch up: more than a worker's pool lends. Processes the tests start keep theirs.
for _database in DATABASES.values():  # noqa: F405
    if "pool" in _database.get("OPTIONS", {}):
        _database["OPTIONS"]["pool"] = {**_database["OPTIONS"]["pool"], "max_size": 30}
