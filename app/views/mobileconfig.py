"""Apple configuration profiles: GET /mobileconfig?emailaddress=<address>.

Rendered and signed per request: profiles are asked for rarely (once per
device), so nothing is cached and the discovery endpoints pay nothing.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from ..formats import mobileconfig
from ..names import parse_address
from ..signing import ProfileSigner
from . import settings
from .discovery import _text

bp = Blueprint("mobileconfig", __name__)


def signer() -> ProfileSigner:
    return current_app.extensions["signer"]


@bp.get("/mobileconfig")
def profile():
    raw = request.args.get("emailaddress", "").strip()
    if not raw:
        return _text(400, "emailaddress is required")
    try:
        address, name = parse_address(raw)
    except ValueError:
        return _text(400, "emailaddress is not an email address")
    domain = settings().domain(name)
    if domain is None:
        return _text(404, "No mail settings are published here for that domain")
    if not (settings().incoming and settings().outgoing):
        return _text(404, "This server publishes no incoming or no outgoing mail service")
    body = signer().sign(mobileconfig.profile(settings(), domain, address))
    return Response(body, content_type=mobileconfig.CONTENT_TYPE, headers={
        "Content-Disposition": f'attachment; filename="{domain.name}.mobileconfig"'})
