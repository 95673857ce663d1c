"""How old an answer may be: each read of a replica notes when the owner made the newest change
that replica has applied, and the answer says the oldest of these in `X-Replica-Updated-At`
(ISO 8601). A service that calls another passes on what that one's answer said, so the portal's
header also covers the replicas the country service read for it. No header: nothing was read
from a replica."""

import contextlib
from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime

from django.http import HttpRequest, HttpResponse

HEADER = "X-Replica-Updated-At"

# One list per request, shared with the threads the request's port calls run on.
_noted: ContextVar[list[datetime] | None] = ContextVar("replica_reads", default=None)


def note(as_of: datetime | None) -> None:
    noted = _noted.get()
    if noted is not None and as_of is not None:
        noted.append(as_of)


def note_header(value: str | None) -> None:
    """What another service's answer said of its replicas."""
    # A header that is not a time is not ours to fix; the answer itself stands.
    with contextlib.suppress(ValueError, TypeError):
        note(datetime.fromisoformat(value or ""))


class ReplicaAgeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        noted: list[datetime] = []
        token = _noted.set(noted)
        try:
            response = self.get_response(request)
        finally:
            _noted.reset(token)
        if noted:
            response[HEADER] = min(noted).isoformat()
        return response
