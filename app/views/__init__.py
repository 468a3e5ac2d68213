"""Blueprints, plus the request helpers every view shares."""

from __future__ import annotations

import re

from flask import Response, request

from ..names import domain_of_host
from ..runtime import runtime
from ..settings import MailDomain

# A Host header we are willing to put into a link: a plain hostname[:port].
_LINKABLE_HOST = re.compile(r"[a-z0-9](?:[a-z0-9.-]{0,252})(?::[0-9]{1,5})?", re.IGNORECASE)

# The short reasons of plain-text refusals; fixed strings, nothing the client sent.
NOT_AN_ADDRESS = "emailaddress is not an email address"
NOT_SERVED_HERE = "No mail settings are published here for that domain"


def public_host() -> str:
    """The host the client reached us on (as forwarded by the proxy, which
    ProxyFix trusts for one hop), or our own name if it is not linkable."""
    host = request.host
    return host if _LINKABLE_HOST.fullmatch(host) else runtime().settings.app_domain


def public_base_url() -> str:
    """scheme://host for links we emit.

    On Cloudron every location has a certificate and port 80 redirects, so
    links are https even when a client came in over plain http.
    """
    https = runtime().settings.app_origin.startswith("https://")
    return f"{'https' if https else request.scheme}://{public_host()}"


def host_domain() -> MailDomain | None:
    """The mail domain whose autoconfig./autodiscover. host was asked, if any."""
    return runtime().settings.domain(domain_of_host(request.host))


def plain(status: int, reason: str) -> Response:
    """A short text answer. Reasons are fixed strings: nothing the client
    sent is echoed back."""
    return Response(reason + "\n", status, content_type="text/plain; charset=utf-8")
