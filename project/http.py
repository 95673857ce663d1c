"""Outbound HTTP to other departments: one pool of keep-alive connections, timeouts within the
request's budget, one retry for GETs whose connection failed, the current request ID passed on,
and failures turned into `DepartmentUnavailable`.

urllib3 directly, not requests on top of it: a call between services is on every page's path,
and requests' per-call preparation cost more CPU than the rest of a small call."""

import functools
import json
import urllib.request
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

import urllib3
from django.conf import settings
from urllib3.exceptions import HTTPError, ReadTimeoutError, TimeoutError
from urllib3.util.retry import Retry

from project import deadlines
from project.ports import DepartmentUnavailable
from project.request_id import HEADER as REQUEST_ID_HEADER
from project.request_id import current_request_id

T = TypeVar("T")


class _RetryUnlessTimedOut(Retry):
    """One more try for a GET that failed to connect or found its pooled keep-alive connection
    closed, or got a 502/503/504; none for one that ran out of time: a slow department stays
    slow, and a second wait would overrun the caller's budget."""

    def increment(self, method=None, url=None, response=None, error=None, **kwargs):
        if isinstance(error, ReadTimeoutError):
            raise error
        return super().increment(method, url, response, error, **kwargs)


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
    if not proxy or urllib.request.proxy_bypass_environment(host, _PROXIES):
        return _DIRECT
    return _proxy(proxy)


def _headers(read_timeout: float) -> dict[str, str]:
    headers = {"Accept": "application/json", deadlines.HEADER: f"{read_timeout:.3f}"}
    request_id = current_request_id()
    if request_id:
        headers[REQUEST_ID_HEADER] = request_id
    return headers


def _failure(error: HTTPError) -> str:
    # After a retry, urllib3 reports the last failure as the reason of a MaxRetryError.
    reason = getattr(error, "reason", None)
    if isinstance(error, TimeoutError) or isinstance(reason, TimeoutError):
        return "no answer in time"
    return "cannot connect"


def get_json(department: str, url: str, params: dict | None = None):
    """GET a department's JSON, or raise `DepartmentUnavailable`. A 404 answers None."""
    read_timeout = deadlines.read_timeout()
    if read_timeout <= 0:
        raise DepartmentUnavailable(department, "no answer in time")
    try:
        target = urllib3.util.parse_url(url)
        response = _pools_for(target.scheme, target.host).request(
            "GET",
            url,
            fields=params,
            headers=_headers(read_timeout),
            timeout=urllib3.Timeout(connect=settings.SERVICE_CONNECT_TIMEOUT, read=read_timeout),
        )
    except HTTPError as error:
        raise DepartmentUnavailable(department, _failure(error)) from None
    if response.status == 404:
        return None
    if response.status != 200:
        raise DepartmentUnavailable(department, f"it answered HTTP {response.status}")
    try:
        return json.loads(response.data)
    except ValueError:
        raise DepartmentUnavailable(department, "it answered something other than JSON") from None


class HttpDirectory(Generic[T]):
    """HTTP adapter: the department's REST list endpoint, JSON mapped to the same DTOs.

    One request per batch of codes (page size 500, following `next` beyond that)."""

    page_size = 500

    def __init__(self, department: str, url: str, to_dto: Callable[[dict], T]):
        self._department = department
        self._url = url
        self._to_dto = to_dto

    def get_many(self, codes: Iterable[str]) -> dict[str, T]:
        wanted = sorted({code.strip() for code in codes if code and code.strip()})
        if not wanted:
            return {}
        return {dto.code: dto for dto in self._fetch({"codes": ",".join(wanted)})}

    def list_all(self) -> list[T]:
        return self._fetch({})

    def count(self) -> int:
        page = get_json(self._department, self._url, {"page_size": 1})
        return page["count"] if page else 0

    def _fetch(self, params: dict) -> list[T]:
        items, url, params = [], self._url, {**params, "page_size": self.page_size}
        while url:
            page = get_json(self._department, url, params) or {"results": [], "next": None}
            items.extend(self._to_dto(item) for item in page["results"])
            url, params = page["next"], None  # `next` carries the query string already
        return items
