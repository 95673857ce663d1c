import os

from django.core.wsgi import get_wsgi_application

from project.kernel import tracing

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

tracing.instrument()  # before Django loads its middleware: a no-op unless OTLP is configured
application = get_wsgi_application()
