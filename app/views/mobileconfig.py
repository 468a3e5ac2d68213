"""Apple configuration profiles: GET /mobileconfig?emailaddress=<address>.

Rendered and signed per request: profiles are asked for rarely (once per
device), so nothing is cached and the discovery endpoints pay nothing.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from ..formats import mobileconfig
from ..names import parse_address
from ..signing import ProfileSigner
from . import NOT_AN_ADDRESS, UNKNOWN_DOMAIN, plain, settings

bp = Blueprint("mobileconfig", __name__)


def signer() -> ProfileSigner:
    return current_app.extensions["signer"]


@bp.get("/mobileconfig")
def profile():
    raw = request.args.get("emailaddress", "").strip()
    if not raw:
        return plain(400, "emailaddress is required")
    try:
        address, name = parse_address(raw)
    except ValueError:
        return plain(400, NOT_AN_ADDRESS)
    domain = settings().domain(name)
    if domain is None:
        return plain(404, UNKNOWN_DOMAIN)
    body = signer().sign(mobileconfig.profile(settings(), domain, address))
    return Response(body, content_type=mobileconfig.CONTENT_TYPE, headers={
        "Content-Disposition": f'attachment; filename="{domain.name}.mobileconfig"'})
