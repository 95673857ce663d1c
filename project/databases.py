"""One database alias per department plus `default`, each in its own schema.

- Embedded default: SQLite, one file per alias under `DATA_DIR`.
- PostgreSQL (`DATABASE_URL=postgres://...`): one database, one schema per alias, selected through
  `search_path`. `public` never appears in a department's search path, so a department cannot
  see tables that are not its own. `<ALIAS>_DATABASE_URL` points one alias elsewhere.
"""

from pathlib import Path

import environ

from project.topology import Topology


def _default_schema(service: str) -> str:
    # Split services share no tables, not even auth and sessions.
    return "public" if service == "all" else f"{service}_site"


def _pool(env: environ.Env) -> dict:
    """A pool of connections per alias and worker process: a request borrows one and gives it
    back when it ends. Under gevent every client connection is a greenlet, and a connection
    kept per greenlet would pile up into PostgreSQL's connection limit."""
    return {
        # None kept open while idle: an idle worker holds no connection for long.
        "min_size": 0,
        "max_idle": 30.0,
        "max_size": env.int("DATABASE_POOL_SIZE", default=4),
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=1.0),  # then 503
    }


def owned_aliases(topology: Topology) -> tuple[str, ...]:
    return ("default", *topology.local_departments)


def build_databases(env: environ.Env, topology: Topology, data_dir: Path) -> dict:
    databases = {}
    for alias in owned_aliases(topology):
        url = env.str(f"{alias.upper()}_DATABASE_URL", default="") or env.str(
            "DATABASE_URL", default=""
        )
        if url:
            config = environ.Env.db_url_config(url)
        else:
            data_dir.mkdir(parents=True, exist_ok=True)
            config = {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(data_dir / f"{alias}.sqlite3"),
                # Readers never block the writer (a service and its event worker share the
                # files), and a transaction takes the write lock when it begins rather than
                # failing at once when it finds another writer half-way through.
                "OPTIONS": {
                    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                    "transaction_mode": "IMMEDIATE",
                    "timeout": 20,
                },
            }
        if config["ENGINE"] == "django.db.backends.postgresql":
            schema = _default_schema(topology.service) if alias == "default" else alias
            config["SCHEMA"] = schema
            config.setdefault("OPTIONS", {}).update(
                options=f"-c search_path={schema}", pool=_pool(env)
            )
            config["CONN_HEALTH_CHECKS"] = True  # the pool checks a connection before lending it
        databases[alias] = config
    return databases
