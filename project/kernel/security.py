"""Django's SecurityMiddleware, with one exception to its HTTPS redirect: a request to a loopback
host (`kubectl port-forward`, a browser on the same machine) never crossed a network, and nothing
serves HTTPS there, so it is answered over plain HTTP instead of sent to https://localhost/."""

from ipaddress import ip_address

from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.http.request import split_domain_port
from django.middleware.security import SecurityMiddleware as DjangoSecurityMiddleware


def is_loopback_host(host: str) -> bool:
    """localhost, 127.0.0.0/8 or ::1, with or without a port."""
    domain, _port = split_domain_port(host)
    if domain == "localhost":
        return True
    try:
        return ip_address(domain.strip("[]")).is_loopback
    except ValueError:
        return False


class SecurityMiddleware(DjangoSecurityMiddleware):
    def process_request(self, request: HttpRequest) -> HttpResponsePermanentRedirect | None:
        redirect = super().process_request(request)
        # Only a redirect has read the Host header (and so validated it): probes by pod IP
        # never get here with a host ALLOWED_HOSTS would refuse.
        if redirect is not None and is_loopback_host(request.get_host()):
            return None
        return redirect
