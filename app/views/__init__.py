"""Blueprints, plus the request helpers every view shares."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, request

from ..names import PREFIXES, domain_of_host
from ..runtime import runtime
from ..settings import MailDomain

# The short reasons of plain-text refusals; fixed strings, nothing the client sent.
NOT_AN_ADDRESS = "emailaddress is not an email address"
NOT_SERVED_HERE = "No mail settings are published here for that domain"


def public_host() -> str:
    """The host the client reached us on (as the proxy forwards it), when it
    is one of ours: one of the app's locations, or autoconfig./autodiscover.
    of a served domain. Anything else (a Host or X-Forwarded-Host the client
    made up) gives the app's primary location: links never point elsewhere."""
    settings = runtime().settings
    name, _, port = request.host.lower().partition(":")
    ours = name in settings.locations or (
        name.startswith(PREFIXES) and settings.domain(name.split(".", 1)[1]) is not None
    )
    if not ours:
        return urlsplit(settings.app_origin).netloc
    return f"{name}:{port}" if port.isascii() and port.isdigit() else name


def public_base_url() -> str:
    """scheme://host for links we emit.

    On Cloudron every location has a certificate and port 80 redirects, so
    links are https even when a client came in over plain http. Elsewhere
    the scheme the proxy forwarded, when it is one a link may have.
    """
    https = runtime().settings.app_origin.startswith("https://") or request.scheme == "https"
    return f"{'https' if https else 'http'}://{public_host()}"


def host_domain() -> MailDomain | None:
    """The mail domain whose autoconfig./autodiscover. host was asked, if any."""
    return runtime().settings.domain(domain_of_host(request.host))


def plain(status: int, reason: str) -> Response:
    """A short text answer. Reasons are fixed strings: nothing the client
    sent is echoed back."""
    return Response(reason + "\n", status, content_type="text/plain; charset=utf-8")
