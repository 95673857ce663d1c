"""Errors that reach the user: JSON for the API, a friendly page elsewhere, never a traceback."""

from collections.abc import Callable
from typing import cast

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, get_resolver
from django.utils.translation import gettext, gettext_lazy
from gevent import Timeout, monkey

_TITLES = {
    400: gettext_lazy("Bad request"),
    404: gettext_lazy("Not found"),
    411: gettext_lazy("Length required"),
    408: gettext_lazy("Request timeout"),
    413: gettext_lazy("Too large"),
    429: gettext_lazy("Too many requests"),
    503: gettext_lazy("Temporarily unavailable"),
}


def error_response(request, status: int, message: str):
    """JSON `{"detail": ...}` under /api/, a plain friendly page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    title = _TITLES.get(status, gettext_lazy("Something went wrong"))
    return render(request, "error.html", {"title": title, "message": message}, status=status)


class RequestBodyMiddleware:
    """Refuse a body larger than DATA_UPLOAD_MAX_MEMORY_SIZE before anything reads it (DRF's
    parsers read the stream directly, past Django's own check), and a chunked one. Read an
    accepted body now, in full, within REQUEST_BODY_TIMEOUT seconds, or answer 408: a client
    that sends its body a byte at a time holds its greenlet no longer than that."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            # Django reads a body by its Content-Length: a chunked one would arrive empty.
            return error_response(
                request, 411, "Send the body with a Content-Length; chunked bodies are refused."
            )
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error_response(request, 400, "The Content-Length header is not a number.")
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            return error_response(request, 413, f"The request body is larger than {limit} bytes.")
        if length and not _read_body_within(request, settings.REQUEST_BODY_TIMEOUT):
            seconds = settings.REQUEST_BODY_TIMEOUT
            return error_response(
                request, 408, f"The request body did not arrive within {seconds:g} seconds."
            )
        return self.get_response(request)


def _read_body_within(request, seconds: float) -> bool:
    """Read the body into `request.body`; False if it took longer than `seconds`. A deadline
    can interrupt a read that waits on the client only where sockets are gevent's (gunicorn's
    gevent workers); elsewhere (the development server) the read has none."""
    if not monkey.is_module_patched("socket"):
        request.body  # noqa: B018 - read for its side effect
        return True
    deadline = Timeout(seconds)
    deadline.start()
    try:
        request.body  # noqa: B018
    except Timeout as expired:
        if expired is not deadline:
            raise
        return False
    finally:
        deadline.close()
    return True


class DatabaseUnavailableMiddleware:
    """A database that does not answer is a 503 that says so, not a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError):
            return error_response(
                request,
                503,
                gettext("The database is unavailable right now. Please try again shortly."),
            )
        return None


class NotFoundPageMiddleware:
    """With DEBUG on (`make run`), an address that matches no URL pattern gets the product's own
    404 page, as without DEBUG, instead of Django's debug page listing every pattern. The rest of
    debug mode stays: tracebacks, and the debug page for an Http404 a view raises, which names
    the view. Without DEBUG Django answers with the URLconf's handler404 itself, and this
    middleware is not loaded."""

    def __init__(self, get_response):
        if not settings.DEBUG:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        resolver = get_resolver(getattr(request, "urlconf", None))
        try:
            resolver.resolve(request.path_info)
        except Resolver404 as exception:
            # The URLconf's handler404 takes the exception too (django-stubs say it does not).
            handler = cast(Callable[..., HttpResponse], resolver.resolve_error_handler(404))
            return handler(request, exception)
        return self.get_response(request)


def server_error(request):
    return error_response(
        request, 500, gettext("Something went wrong on our side. It has been logged.")
    )


def not_found(request, exception):
    return error_response(request, 404, gettext("There is nothing at this address."))
