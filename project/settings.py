"""One settings module for every topology, driven by the environment (see README, Configuration)."""

import os
import sys
from importlib.util import find_spec
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from project import __version__
from project.databases import build_databases
from project.topology import build_topology

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
try:
    TOPOLOGY = build_topology(env.str("SERVICE", default="all"), os.environ)
    SECRET_KEY = env.str(
        "SECRET_KEY",
        **({"default": "insecure-development-key-never-in-production"} if DEBUG else {}),
    )
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must not be empty.")
except ImproperlyConfigured as error:
    if not DEBUG and "SECRET_KEY" in str(error):
        # Most often a checkout where `make run` has not yet written its development .env.
        error = ImproperlyConfigured(
            f"{error}. For development on this machine, `make run` writes a .env with one "
            "(or set DEBUG=1); anywhere else, set SECRET_KEY to a long random value."
        )
    # A process that is configured wrongly stops at once, saying what to set.
    sys.exit(f"Configuration error: {error}")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Browsers reach the product over HTTPS (TLS ends at the Ingress) unless HTTPS=false, as on a
# laptop or between services on loopback.
HTTPS = env.bool("HTTPS", default=not DEBUG)
# Reverse proxies in front of the process (the Kubernetes overlays: 1, the Ingress). Only then
# is X-Forwarded-Proto believed, and X-Forwarded-For counted for rate limits: a client that
# reaches the process directly could send either.
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXIES else None
# HttpsRedirectMiddleware redirects instead, sparing loopback hosts; its deployment check
# (kernel.W001) stands in for Django's.
SECURE_SSL_REDIRECT = False
SILENCED_SYSTEM_CHECKS = ["security.W008"]
# Service-to-service calls and probes stay plain HTTP inside the cluster.
SECURE_REDIRECT_EXEMPT = [r"^api/", r"^healthz$", r"^readyz$", r"^metrics$"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts, styles, fonts and images from this origin only, no plugins, no framing; inline style
# attributes are allowed (the admin and Swagger UI set some), inline scripts are not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Request bodies beyond this are refused (413): records are a few hundred bytes.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("MAX_REQUEST_BYTES", default=64 * 1024)
# Seconds a request's body may take to arrive, once its head has (see RequestBodyMiddleware).
REQUEST_BODY_TIMEOUT = env.float("REQUEST_BODY_TIMEOUT", default=10.0)

INSTALLED_APPS = [
    "project",  # the composition root's management commands (migrate, load_reference_data, ...)
    "project.kernel",
    "project.kernel.throttling.ThrottledAdminConfig",  # django.contrib.admin, logins rate-limited
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI from our own static files, pinned, offline
    *TOPOLOGY.local_departments,
    *(["portal"] if TOPOLOGY.serves_portal else []),
    # The development tools' commands (compare_topologies, run_split, ...), where the checkout has
    # them: the image leaves them out.
    *(["project.bench"] if find_spec("project.bench") else []),
]

MIDDLEWARE = [
    # Security headers on every answer, the probes' and the refusals below included.
    "django.middleware.security.SecurityMiddleware",
    # Plain HTTP sent on to HTTPS (with HTTPS=true), loopback hosts spared (port-forward).
    "project.kernel.security.HttpsRedirectMiddleware",
    "csp.middleware.CSPMiddleware",
    # Health answers before host validation, so kubelet probes by pod IP work.
    "project.kernel.health.HealthCheckMiddleware",
    "project.kernel.request_id.RequestIdMiddleware",
    "project.kernel.staleness.ReplicaAgeMiddleware",
    "project.kernel.deadlines.TimeoutBudgetMiddleware",
    "project.kernel.errors.RequestBodyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "project.kernel.errors.DatabaseUnavailableMiddleware",
    # DEBUG only: a 404 is the product's page, not Django's list of URL patterns. Innermost, so
    # CommonMiddleware still adds a missing slash.
    "project.kernel.errors.NotFoundPageMiddleware",
]
# Prometheus metrics at /metrics (project/kernel/metrics.py); off unless METRICS=true.
METRICS = env.bool("METRICS", default=False)
if METRICS:
    # Scrapes answered before host validation, as the probes are; every other request counted
    # and timed.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("project.kernel.health.HealthCheckMiddleware") + 1,
        "project.kernel.metrics.MetricsMiddleware",
    )

ROOT_URLCONF = "project.urls"
WSGI_APPLICATION = "project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR / "var" / "db" / TOPOLOGY.service)))
DATABASES = build_databases(env, TOPOLOGY, DATA_DIR)
DATABASE_ROUTERS = ["project.routers.DepartmentRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Split services may share one host name behind an Ingress: their cookies must not collide.
SESSION_COOKIE_NAME = f"{TOPOLOGY.service}_sessionid"
CSRF_COOKIE_NAME = f"{TOPOLOGY.service}_csrftoken"
# Admin messages live in the service's own session, not in a "messages" cookie every service
# under one host name would share.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
LANGUAGE_COOKIE_NAME = "django_language"
# Where a page for staff only (the portal's /attention/) sends a visitor to log in: the country
# department's admin login where this process serves it (any department's staff may log in
# there), else this process's own superuser site.
LOGIN_URL = "/admin/countries/login/" if TOPOLOGY.is_local("countries") else "/admin/login/"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "portal" / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Rate limits count in the cache, so all workers and pods of a service count together: by
# default in a table of the service's own `default` database (`migrate` makes it); CACHE_URL
# names another shared backend (any cache URL django-environ reads).
try:
    CACHES = {"default": env.cache_url("CACHE_URL", default="dbcache://rate_limits")}
except ImproperlyConfigured as error:
    sys.exit(f"Configuration error: CACHE_URL: {error}")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header turns anonymous writes into 401, not 403.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["project.kernel.permissions.DepartmentPermission"],
    "DEFAULT_PARSER_CLASSES": ["project.kernel.rest.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "project.kernel.rest.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["project.kernel.throttling.WriteThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "write": env.str("WRITE_THROTTLE_RATE", default="600/minute"),
        "login": env.str("LOGIN_THROTTLE_RATE", default="10/minute"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Rate limits count per client address: the peer's, or with N trusted reverse proxies in
    # front (an Ingress: 1), the address the outermost of them saw in X-Forwarded-For. Never
    # the whole header, which a client could change at will to escape the limits.
    "NUM_PROXIES": TRUSTED_PROXIES,
}

SPECTACULAR_SETTINGS = {
    "TITLE": f"Country Provider API ({TOPOLOGY.service})",
    "DESCRIPTION": "Countries, currencies and languages, each owned by its department.",
    "VERSION": __version__,
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "project.kernel.openapi.document_errors_and_public_reads",
    ],
}

# CORS, for browser apps served from another origin (such as the original workshop frontend).
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"
# Classroom mode: the compatibility API (/api/v1/) accepts writes without credentials, as the
# original frontend sends none. Never on a system with real data.
V1_ALLOW_ANONYMOUS_WRITES = env.bool("V1_ALLOW_ANONYMOUS_WRITES", default=False)

# Outbound calls to other departments (split topology).
SERVICE_CONNECT_TIMEOUT = env.float("SERVICE_CONNECT_TIMEOUT", default=1.0)
SERVICE_READ_TIMEOUT = env.float("SERVICE_READ_TIMEOUT", default=3.0)

# Events between the services (`manage.py run_events`): the broker, how often the relay looks
# for new outbox rows, and how long sent ones are kept.
NATS_URL = env.str("NATS_URL", default="nats://127.0.0.1:4222")
EVENTS_POLL_SECONDS = env.float("EVENTS_POLL_SECONDS", default=0.05)
OUTBOX_RETENTION_HOURS = env.float("OUTBOX_RETENTION_HOURS", default=7 * 24)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "project.kernel.request_id.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # The request log below replaces Django's own per-request lines.
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
    },
}
