"""Outbound HTTP to other departments: one pool of keep-alive connections, timeouts within the
request's budget, one retry for a GET whose connection failed or that got a 502/503/504 (never
for one that timed out), the current request ID passed on, and failures turned into
`DepartmentUnavailable`.

urllib3 directly, not requests on top of it: a call between services is on every page's path,
and requests' per-call preparation cost more CPU than the rest of a small call."""

import functools
import json
import time
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Any, Generic, Self

import urllib3
from django.conf import settings
from urllib3.connectionpool import ConnectionPool
from urllib3.exceptions import HTTPError, NewConnectionError, ReadTimeoutError, TimeoutError
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from project.kernel import data_versions, deadlines, metrics, staleness
from project.kernel.fields import code_shaped
from project.kernel.ports import DTO, DepartmentUnavailable
from project.kernel.request_id import HEADER as REQUEST_ID_HEADER
from project.kernel.request_id import current_request_id


class _RetryUnlessTimedOut(Retry):
    """One more try for a GET that failed to connect or found its pooled keep-alive connection
    closed, or got a 502/503/504; none for one that ran out of time: a slow department stays
    slow, and a second wait would overrun the caller's budget."""

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> Self:
        if isinstance(error, ReadTimeoutError):
            raise error
        return super().increment(method, url, response, error, _pool, _stacktrace)


_RETRIES = _RetryUnlessTimedOut(
    total=1,
    allowed_methods={"GET"},
    status_forcelist=(502, 503, 504),
    backoff_factor=0,
    raise_on_status=False,
    redirect=False,
)
# Thread-safe: every request thread and port-call thread of the process shares the pools, one
# per department service, each keeping up to 8 connections alive.
_DIRECT = urllib3.PoolManager(num_pools=4, maxsize=8, retries=_RETRIES)
# The proxies the environment names (HTTP_PROXY, NO_PROXY, ...), honoured as by other clients.
_PROXIES = urllib.request.getproxies_environment()


@functools.lru_cache(maxsize=4)
def _proxy(url: str) -> urllib3.ProxyManager:
    return urllib3.ProxyManager(url, num_pools=4, maxsize=8, retries=_RETRIES)


@functools.lru_cache(maxsize=32)
def _pools_for(scheme: str, host: str) -> urllib3.PoolManager:
    proxy = _PROXIES.get(scheme)
    # proxy_bypass reads NO_PROXY from the environment (on Linux, as getproxies_environment).
    if not proxy or urllib.request.proxy_bypass(host):
        return _DIRECT
    return _proxy(proxy)


def _headers(read_timeout: float) -> dict[str, str]:
    headers = {"Accept": "application/json", deadlines.HEADER: f"{read_timeout:.3f}"}
    request_id = current_request_id()
    if request_id:
        headers[REQUEST_ID_HEADER] = request_id
    return headers


class _CallFailed(DepartmentUnavailable):
    """A call that got no usable answer, and its outcome as the metrics count it."""

    def __init__(self, department: str, reason: str, outcome: str):
        super().__init__(department, reason)
        self.outcome = outcome


def _failed(department: str, error: HTTPError) -> _CallFailed:
    # After a retry, urllib3 reports the last failure as the reason of a MaxRetryError. A
    # refused connection is a NewConnectionError, which urllib3 derives from its TimeoutError.
    reason = getattr(error, "reason", None)
    timed_out = (
        isinstance(failure, TimeoutError) and not isinstance(failure, NewConnectionError)
        for failure in (error, reason)
    )
    if any(timed_out):
        return _CallFailed(department, "no answer in time", "timeout")
    return _CallFailed(department, "cannot connect", "cannot_connect")


def fetch_json(
    department: str,
    url: str,
    params: Mapping[str, str | int] | None = None,
    *,
    statuses: tuple[int, ...] = (200,),
) -> tuple[int, Any]:
    """GET a department's JSON: its status, one of `statuses`, and its body (None for an error
    status without a JSON body). Any other status, or no answer in time, raises
    `DepartmentUnavailable`. Counted and timed by outcome (see `metrics`)."""
    started = time.perf_counter()
    try:
        answer = _fetch_json(department, url, params, statuses)
    except _CallFailed as failure:
        metrics.observe_department_call(department, failure.outcome, time.perf_counter() - started)
        raise
    metrics.observe_department_call(department, "ok", time.perf_counter() - started)
    return answer


def _fetch_json(
    department: str, url: str, params: Mapping[str, str | int] | None, statuses: tuple[int, ...]
) -> tuple[int, Any]:
    read_timeout = deadlines.read_timeout()
    if read_timeout <= 0:
        raise _CallFailed(department, "no answer in time", "timeout")
    try:
        target = urllib3.util.parse_url(url)
        response = _pools_for(target.scheme, target.host).request(
            "GET",
            url,
            fields={name: str(value) for name, value in (params or {}).items()},
            headers=_headers(read_timeout),
            timeout=urllib3.Timeout(connect=settings.SERVICE_CONNECT_TIMEOUT, read=read_timeout),
        )
    except HTTPError as error:
        raise _failed(department, error) from None
    if response.status not in statuses:
        raise _CallFailed(department, f"it answered HTTP {response.status}", "http_error")
    staleness.note_header(response.headers.get(staleness.HEADER))
    if response.status == 200:
        data_versions.note_answer(response.headers.get(data_versions.HEADER))
    else:  # an error status: what the caller shows without it is not the whole answer
        data_versions.mark_degraded()
    try:
        return response.status, json.loads(response.data)
    except ValueError:
        if response.status != 200:
            return response.status, None
        raise _CallFailed(
            department, "it answered something other than JSON", "bad_answer"
        ) from None


def get_json(department: str, url: str, params: Mapping[str, str | int] | None = None) -> Any:
    """GET a department's JSON, or raise `DepartmentUnavailable`. A 404 answers None."""
    status, body = fetch_json(department, url, params, statuses=(200, 404))
    return None if status == 404 else body


class HttpDirectory(Generic[DTO]):
    """HTTP adapter: the department's REST list endpoint, JSON mapped to the same DTOs.

    One request per batch of codes (page size 500, following `next` beyond that)."""

    page_size = 500

    def __init__(self, department: str, url: str, to_dto: Callable[[dict], DTO]):
        self._department = department
        self._url = url
        self._to_dto = to_dto

    def get_many(self, codes: Iterable[str]) -> dict[str, DTO]:
        wanted = sorted(code_shaped(codes))  # letters only: no separator reaches the URL
        if not wanted:
            return {}
        return {dto.code: dto for dto in self._fetch({"codes": ",".join(wanted)})}

    def list_all(self) -> list[DTO]:
        return self._fetch({})

    def count(self) -> int:
        page = get_json(self._department, self._url, {"page_size": 1})
        return page["count"] if page else 0

    def _fetch(self, params: dict[str, str]) -> list[DTO]:
        items: list[DTO] = []
        url: str | None = self._url
        query: dict[str, str | int] | None = {**params, "page_size": self.page_size}
        while url:
            page = get_json(self._department, url, query) or {"results": [], "next": None}
            try:
                items.extend(self._to_dto(item) for item in page["results"])
                url, query = page["next"], None  # `next` carries the query string already
            except (KeyError, TypeError):
                raise DepartmentUnavailable(
                    self._department, "it answered something other than a page of records"
                ) from None
        return items
