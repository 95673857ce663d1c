"""gunicorn settings, driven by the environment so one image fits every Deployment.

Workers come from GUNICORN_WORKERS (never from the host's CPU count: a pod's CPU limit is not
the node's). The worker heartbeat lives in memory so the root filesystem can be read-only."""

import os

from project.topology import calls_other_services

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
# Threads (gunicorn's gthread worker) for a service that waits on other services' answers: it
# serves other requests meanwhile. A service that waits on none keeps the sync worker: threads
# would only add switching between them.
_default_threads = 4 if calls_other_services(os.environ.get("SERVICE", "all")) else 1
threads = int(os.environ.get("GUNICORN_THREADS") or _default_threads)
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5  # seconds; callers keep pooled connections to each service
worker_tmp_dir = "/dev/shm"
# Load the app once in the master: configuration errors stop the server at start with one line.
preload_app = True
# The app logs one structured line per request; gunicorn's access log would repeat it.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
wsgi_app = "project.wsgi:application"
# The control socket needs a writable $HOME; the pods' root filesystem is read-only.
control_socket_disable = True
