"""Liveness and readiness, answered before host validation and before any other middleware."""

from django.conf import settings
from django.db import connections
from django.http import JsonResponse


def _own_databases_ready() -> dict[str, str]:
    problems = {}
    for alias in settings.DATABASES:
        try:
            connections[alias].ensure_connection()
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception as error:
            problems[alias] = type(error).__name__
            connections[alias].close()
    return problems


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return JsonResponse({"status": "ok"})
        if request.path == "/readyz":
            problems = _own_databases_ready()
            if problems:
                return JsonResponse({"status": "unavailable", "databases": problems}, status=503)
            return JsonResponse({"status": "ok"})
        return self.get_response(request)
