"""Request IDs: taken from `X-Request-ID` or made, returned, passed downstream and logged.

Each request produces one structured log line with its method, path, status, duration and ID.
"""

import contextvars
import json
import logging
import re
import time
import uuid

from django.conf import settings

from project.kernel import tracing

HEADER = "X-Request-ID"
_VALID = re.compile(r"\A[A-Za-z0-9._:-]{1,128}\Z")
_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
logger = logging.getLogger("project.requests")


def current_request_id() -> str | None:
    return _current.get()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(HEADER, "")
        # An ID from outside is kept only if it is safe to log and forward.
        request_id = incoming if _VALID.match(incoming) else uuid.uuid4().hex
        # Also on the request: Django logs a 4xx/5xx answer after this middleware has returned.
        request.request_id = request_id
        tracing.note_request_id(request_id)
        token = _current.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            logger.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            _current.reset(token)


class JsonFormatter(logging.Formatter):
    """One JSON object per line, carrying the current request ID, and the trace and span IDs
    where a span is current."""

    _FIELDS = ("method", "path", "status", "duration_ms", "department")

    def format(self, record):
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "service": settings.TOPOLOGY.service,
            "pid": record.process,  # which worker
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None)
            or current_request_id()
            or getattr(getattr(record, "request", None), "request_id", None),
        }
        line.update(tracing.current_ids())
        line.update({k: getattr(record, k) for k in self._FIELDS if hasattr(record, k)})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)
