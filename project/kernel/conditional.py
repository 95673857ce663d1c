"""Conditional GETs of reference data: an answer carries a weak `ETag` naming the versions of
the data it was built from (see `data_versions`), and a repeat request that sends it back in
`If-None-Match` gets `304 Not Modified` while those versions are still the current ones,
without the answer being built. Checking costs one small query per source read in this process
and, in the split topology, one call per other service the answer read from, at the same time.

The tag also carries a digest of what else shapes the answer: the code and templates of this
release, the full path, and the request headers the answer varies by (the content type asked
for, the language, the session, the credentials, the CSRF cookie). `Cache-Control: no-cache`
lets a client keep the answer but makes it ask again each time, so a change shows at once.
"""

import functools
import hashlib
import os
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.crypto import salted_hmac
from django.utils.http import parse_etags
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from project.kernel import data_versions, deadlines
from project.kernel.data_versions import Source, Versions
from project.kernel.http import get_json
from project.kernel.ports import DepartmentUnavailable, concurrently

CHECK_SHARE = 1 / 3  # of SERVICE_READ_TIMEOUT, for the calls that check a tag's versions
_RELEASE_FILES = {".py", ".html", ".mo", ".css", ".js", ".svg"}
_NOT_RELEASED = {".git", ".venv", "var", "tests", "node_modules", "__pycache__"}


def release() -> str:
    """A digest of this release: its code, templates, translations and static files (by name,
    size and modification time) and the packages installed, the same in every worker and
    every container of one image. Once per process; the files on every request with DEBUG on
    (`make run`, which reloads templates without restarting)."""
    files = _files_digest() if settings.DEBUG else _files_once()
    return hashlib.sha256(f"{files}{_packages_digest()}".encode()).hexdigest()


def _files_digest() -> str:
    digest = hashlib.sha256()
    for directory, subdirectories, files in os.walk(settings.BASE_DIR):
        subdirectories[:] = sorted(d for d in subdirectories if d not in _NOT_RELEASED)
        for name in sorted(files):
            path = Path(directory, name)
            if path.suffix in _RELEASE_FILES:
                stat = path.stat()
                digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()


_files_once = functools.cache(_files_digest)


@functools.cache
def _packages_digest() -> str:
    packages = sorted(f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions())
    return hashlib.sha256("\0".join(packages).encode()).hexdigest()


def request_digest(request: HttpRequest, csrf_secret: str) -> str:
    """What shapes an answer beside the data it reads, in 20 hex digits."""
    shaping = [
        release(),
        request.get_host(),
        request.get_full_path(),
        request.headers.get("Accept", ""),
        getattr(request, "LANGUAGE_CODE", ""),
        request.COOKIES.get(settings.SESSION_COOKIE_NAME, ""),
        request.headers.get("Authorization", ""),
        csrf_secret,  # a page's forms carry a token made from it
    ]
    # Keyed with SECRET_KEY: the tag shows nothing of the cookies and credentials it digests.
    return salted_hmac("conditional-get", "\0".join(shaping), algorithm="sha256").hexdigest()[:20]


def _digest_sent(request: HttpRequest) -> str:
    return request_digest(request, request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""))


def _digests_built(request: HttpRequest) -> list[str]:
    """The requests an answer just built holds for: this one, and where the answer gave the
    client a new CSRF secret, the same request sending it back (a browser's next visit; a
    client that keeps no cookies sends none again, and its forms would fail either way)."""
    sent = _digest_sent(request)
    secret = request.META.get("CSRF_COOKIE")
    if not secret or secret == request.COOKIES.get(settings.CSRF_COOKIE_NAME):
        return [sent]
    return [sent, request_digest(request, secret)]


def _tag(digests: list[str], versions: Versions) -> str:
    return f'W/"{".".join(digests)}:{data_versions.format_versions(versions)}"'


def _tag_sent(request: HttpRequest, digest: str) -> tuple[str, Versions] | None:
    """A tag of ours for this very request in `If-None-Match`, and the versions it names."""
    for etag in parse_etags(request.headers.get("If-None-Match", "")):
        digests, _, versions = etag.removeprefix("W/").strip('"').partition(":")
        if digest in digests.split("."):
            try:
                return etag, data_versions.parse_versions(versions)
            except ValueError:
                return None
    return None


def _versions_at(service: str, sources: list[Source]) -> Versions:
    url = settings.TOPOLOGY.service_urls.get(service)
    if url is None:
        raise DepartmentUnavailable(service, "this service does not call it")
    wanted = ";".join(str(source) for source in sources)
    answer = get_json(service, f"{url}/api/{service}/data-versions/", {"sources": wanted})
    try:
        return {source: int(answer[str(source)]) for source in sources}
    except (KeyError, TypeError, ValueError):
        raise DepartmentUnavailable(service, "it answered no versions") from None


def current_versions(sources: list[Source]) -> Versions | None:
    """The version now of each source, read here or asked of the service that holds it (those
    at the same time); None if any cannot be known."""
    try:
        versions = {
            source: data_versions.local_version(source) for source in sources if source.read_here
        }
        answers = concurrently(
            {
                service: functools.partial(_versions_at, service, held)
                for service, held in data_versions.by_service(
                    source for source in sources if not source.read_here
                ).items()
            }
        )
    except (DepartmentUnavailable, OperationalError, InterfaceError):
        return None  # then the answer is built, and says what is unavailable
    for answer in answers.values():
        versions.update(answer)
    return versions


def _revalidate_each_time(response: HttpResponseBase, *, private: bool) -> None:
    """Keep, but ask again each time; a portal page in the browser's cache alone. The tag is
    made from the cookies too (`request_digest`), so the answer and its 304 alike vary by
    them: a 304 must say what its 200 would (RFC 9110, 15.4.5), and a 304 touches no session
    for the session middleware to say it."""
    if private:
        patch_cache_control(response, no_cache=True, private=True)
    else:
        patch_cache_control(response, no_cache=True)
    patch_vary_headers(response, ["Cookie"])


def _not_modified(tag: str, *, private: bool) -> HttpResponse:
    response = HttpResponse(status=304)
    response["ETag"] = tag
    _revalidate_each_time(response, private=private)
    return response


def conditional_get(
    request: HttpRequest,
    build: Callable[[], HttpResponseBase],
    *,
    owner: str | None = None,
    private: bool = False,
) -> HttpResponseBase:
    """`build()`'s answer with its tag, or 304 where the tag sent back is still current.
    `owner`: the department whose data the answer reads straight from its models (an API view
    over its own selectors), beside what it reads through ports. `private`: an answer for this
    user alone (a portal page), which no shared cache may keep."""
    sent = _tag_sent(request, _digest_sent(request))
    if sent is not None:
        # A service that is slow to say its versions must not keep the answer waiting twice.
        with deadlines.at_most(settings.SERVICE_READ_TIMEOUT * CHECK_SHARE):
            current = current_versions(list(sent[1]))
        if current == sent[1]:
            return _not_modified(sent[0], private=private)
    with data_versions.recording() as reads:
        if owner is not None:
            data_versions.note_owner_read(owner)
        response = build()
    if response.status_code == 200 and not reads.degraded:
        response["ETag"] = _tag(_digests_built(request), reads.versions)
        response[data_versions.HEADER] = data_versions.format_versions(reads.versions)
        _revalidate_each_time(response, private=private)
    return response


def conditional_page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A portal page view, answered conditionally (see `conditional_get`)."""

    @functools.wraps(view)
    def page(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return conditional_get(request, lambda: view(request, *args, **kwargs), private=True)

    return page


def conditional_read(method: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """An API view's GET, answered conditionally; it reads the department of the view's
    `model` straight from its selectors."""

    @functools.wraps(method)
    def read(view: Any, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return conditional_get(
            request,
            lambda: method(view, request, *args, **kwargs),
            owner=view.model._meta.app_label,
        )

    return read


@require_safe
@never_cache
def data_versions_api(request: HttpRequest) -> JsonResponse:
    """`GET /api/<department>/data-versions/?sources=countries@countries;currencies~countries`:
    the version now of each source this service holds, for the services whose answers read
    them. A 400 names a source it does not hold."""
    try:
        sources = data_versions.parse_sources(request.GET.get("sources", ""))
        elsewhere = [str(source) for source in sources if not source.read_here]
        if elsewhere:
            raise ValueError(f"This service does not hold {', '.join(elsewhere)}.")
    except ValueError as error:
        return JsonResponse({"detail": str(error)}, status=400)
    # A database that does not answer is the 503 of DatabaseUnavailableMiddleware.
    return JsonResponse({str(source): data_versions.local_version(source) for source in sources})
