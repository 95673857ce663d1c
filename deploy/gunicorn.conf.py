"""gunicorn settings, driven by the environment so one image fits every Deployment.

Workers come from GUNICORN_WORKERS (never from the host's CPU count: a pod's CPU limit is not
the node's). The worker heartbeat lives in memory so the root filesystem can be read-only."""

import os
import shutil
import tempfile

from gevent import monkey

_host = os.environ.get("HOST", "0.0.0.0")
bind = [f"{_host}:{os.environ.get('PORT', '8000')}"]
# /metrics on a port of its own, which the Service and the Ingress do not route (see
# project/kernel/metrics.py).
if os.environ.get("METRICS_PORT"):
    bind.append(f"{_host}:{os.environ['METRICS_PORT']}")
# Each worker writes its metrics to files here, before the app (and prometheus-client) is
# loaded; a scrape adds up every worker's. Fresh for every server, never one inherited from
# whatever started it (kept when the master reads this file again on a reload), and removed
# when the server stops.
_METRICS_DIR_PREFIX = "country-provider-metrics-"
if os.environ.get("COUNTRY_PROVIDER_METRICS_MASTER") != str(os.getpid()):
    # Under $TMPDIR (in the pods, /tmp's 64 MiB volume, not /dev/shm's 16 MiB): each worker's
    # files start at 1 MiB and grow with the series.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix=_METRICS_DIR_PREFIX)
    os.environ["COUNTRY_PROVIDER_METRICS_MASTER"] = str(os.getpid())
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
# gevent: every connection a greenlet. A client slow to send its request, or one keeping an
# idle connection open, holds a greenlet, not a worker or a thread; a request's head must arrive
# within `keepalive` seconds or the connection is closed; and a service that waits on others
# serves other requests meanwhile. (Sync workers stopped answering at one slow client, and
# gunicorn's gthread workers at one per thread.) Patched before the app is loaded (preload),
# so Django's per-thread state is per greenlet from the start.
worker_class = "gevent"
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", "1000"))
monkey.patch_all()
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


def post_fork(server, worker):
    # Spans are exported by a thread of each worker's own (see project/kernel/tracing.py).
    from project.kernel import tracing  # noqa: PLC0415 - in the worker, after the fork

    tracing.start_exporting(os.environ.get("SERVICE", "all"))


def child_exit(server, worker):
    # A worker that is gone: its live gauges leave the scrape; its counters stay counted.
    from prometheus_client import multiprocess  # noqa: PLC0415 - after the directory is set

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    metrics_dir = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    if os.path.basename(metrics_dir).startswith(_METRICS_DIR_PREFIX):  # made here, not given
        shutil.rmtree(metrics_dir, ignore_errors=True)
