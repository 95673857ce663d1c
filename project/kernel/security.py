"""Plain HTTP sent on to HTTPS, but for a loopback host: a request to localhost, 127.0.0.0/8 or
::1 (`kubectl port-forward`, a browser on the same machine) never crossed a network, and nothing
serves HTTPS there, so it is answered as it came instead of sent to https://localhost/.

Django's own redirect (SECURE_SSL_REDIRECT) knows no exemption by host, so it stays off and
this middleware redirects; Django's SecurityMiddleware still sets every security header. The
deployment check that SECURE_SSL_REDIRECT is on is replaced by one for HTTPS."""

import re
from ipaddress import ip_address

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.http.request import split_domain_port


def is_loopback_host(host: str) -> bool:
    """localhost, 127.0.0.0/8 or ::1, with or without a port."""
    domain, _port = split_domain_port(host)
    if domain == "localhost":
        return True
    try:
        return ip_address(domain.strip("[]")).is_loopback
    except ValueError:
        return False


class HttpsRedirectMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.exempt = [re.compile(pattern) for pattern in settings.SECURE_REDIRECT_EXEMPT]

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path.lstrip("/")
        if not settings.HTTPS or request.is_secure() or any(p.search(path) for p in self.exempt):
            return self.get_response(request)
        # Read only now: probes by pod IP (exempt above) never meet ALLOWED_HOSTS here.
        host = request.get_host()
        if is_loopback_host(host):
            return self.get_response(request)
        return HttpResponsePermanentRedirect(f"https://{host}{request.get_full_path()}")


@register(Tags.security, deploy=True)
def check_https(app_configs, **kwargs) -> list[Warning]:
    """In place of Django's security.W008 (silenced, as SECURE_SSL_REDIRECT stays off)."""
    if settings.HTTPS and "project.kernel.security.HttpsRedirectMiddleware" in settings.MIDDLEWARE:
        return []
    return [
        Warning(
            "Browsers are not sent on to HTTPS: set HTTPS=true (the default without DEBUG), "
            "with project.kernel.security.HttpsRedirectMiddleware in MIDDLEWARE.",
            id="kernel.W001",
        )
    ]
