"""Outbound HTTP to other departments: pooled keep-alive sessions, timeouts within the request's
budget, one retry for GETs whose connection failed, the current request ID passed on, and
failures turned into `DepartmentUnavailable`."""

import threading
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

import requests
import urllib3
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry

from project import deadlines
from project.ports import DepartmentUnavailable
from project.request_id import HEADER as REQUEST_ID_HEADER
from project.request_id import current_request_id

T = TypeVar("T")

_local = threading.local()


class _RetryUnlessTimedOut(Retry):
    """One more try for a GET that failed to connect or found its pooled keep-alive connection
    closed, or got a 502/503/504; none for one that ran out of time: a slow department stays
    slow, and a second wait would overrun the caller's budget."""

    def increment(self, method=None, url=None, response=None, error=None, **kwargs):
        if isinstance(error, ReadTimeoutError):
            raise error
        return super().increment(method, url, response, error, **kwargs)


def _session() -> requests.Session:
    # One pooled session per thread: requests.Session is not documented as thread-safe.
    session = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        retry = _RetryUnlessTimedOut(
            total=1,
            allowed_methods={"GET"},
            status_forcelist=(502, 503, 504),
            backoff_factor=0,
            raise_on_status=False,
        )
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=8, max_retries=retry)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        _local.session = session
    return session


def _headers(read_timeout: float) -> dict[str, str]:
    headers = {"Accept": "application/json", deadlines.HEADER: f"{read_timeout:.3f}"}
    request_id = current_request_id()
    if request_id:
        headers[REQUEST_ID_HEADER] = request_id
    return headers


def _failure(error: requests.RequestException) -> str:
    # After a retry, requests reports a read timeout as a ConnectionError wrapping urllib3's.
    reason = getattr(error.args[0], "reason", None) if error.args else None
    if isinstance(error, requests.Timeout) or isinstance(reason, urllib3.exceptions.TimeoutError):
        return "no answer in time"
    return "cannot connect"


def get_json(department: str, url: str, params: dict | None = None):
    """GET a department's JSON, or raise `DepartmentUnavailable`. A 404 answers None."""
    read_timeout = deadlines.read_timeout()
    if read_timeout <= 0:
        raise DepartmentUnavailable(department, "no answer in time")
    try:
        response = _session().get(
            url,
            params=params,
            headers=_headers(read_timeout),
            timeout=(settings.SERVICE_CONNECT_TIMEOUT, read_timeout),
        )
    except requests.RequestException as error:
        raise DepartmentUnavailable(department, _failure(error)) from None
    if response.status_code == 404:
        return None
    if not response.ok:
        raise DepartmentUnavailable(department, f"it answered HTTP {response.status_code}")
    try:
        return response.json()
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
