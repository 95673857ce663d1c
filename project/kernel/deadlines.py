"""Timeout budgets across hops: a service answers before the service that called it gives up.

Every call to another service sends the read timeout it waits with as `X-Timeout-Budget`
(seconds). The service that receives it spends at most `SHARE` of that budget waiting on its own
calls, and keeps the rest to build its answer: when the portal asks countries, which asks a
hung currencies service, countries still answers in time (without the currency names), instead
of the portal giving up on countries too. Without the header (a browser, curl) the configured
`SERVICE_READ_TIMEOUT` applies to each call.
"""

import contextvars
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

HEADER = "X-Timeout-Budget"
SHARE = 0.75  # of the caller's budget, for the calls this request makes in turn

_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("deadline", default=None)


def _budget(raw: str) -> float | None:
    try:
        seconds = float(raw)
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds > 0 else None


def read_timeout() -> float:
    """Seconds the next call to another service may wait for its answer: the configured read
    timeout, or less when this request's budget is nearly spent (0 when it is spent)."""
    deadline = _deadline.get()
    if deadline is None:
        return settings.SERVICE_READ_TIMEOUT
    return max(0.0, min(settings.SERVICE_READ_TIMEOUT, deadline - time.monotonic()))


@contextmanager
def at_most(seconds: float) -> Iterator[None]:
    """The calls made inside the block wait `seconds` in all at the most (less where this
    request's budget ends sooner)."""
    deadline, current = time.monotonic() + seconds, _deadline.get()
    token = _deadline.set(deadline if current is None else min(deadline, current))
    try:
        yield
    finally:
        _deadline.reset(token)


class TimeoutBudgetMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        budget = _budget(request.headers.get(HEADER, ""))
        deadline = time.monotonic() + SHARE * budget if budget is not None else None
        token = _deadline.set(deadline)
        try:
            return self.get_response(request)
        finally:
            _deadline.reset(token)
