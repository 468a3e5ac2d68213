"""Apple configuration profiles: GET /mobileconfig?emailaddress=<address>.

Rendered and signed per request: profiles are asked for rarely (once per
device), so nothing is cached and the discovery endpoints pay nothing.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from ..formats import mobileconfig
from ..lookup import NotAnAddress, NotServedHere, lookup
from ..runtime import runtime
from . import NOT_AN_ADDRESS, NOT_SERVED_HERE, plain

bp = Blueprint("mobileconfig", __name__)


@bp.get("/mobileconfig")
def profile() -> Response:
    raw = request.args.get("emailaddress", "").strip()
    if not raw:
        return plain(400, "emailaddress is required")
    try:
        mailbox = lookup(runtime().settings, raw)
    except NotAnAddress:
        return plain(400, NOT_AN_ADDRESS)
    except NotServedHere:
        return plain(404, NOT_SERVED_HERE)
    body = runtime().signer.sign(mobileconfig.profile(runtime().settings, mailbox.domain, mailbox.address))
    return Response(
        body,
        content_type=mobileconfig.CONTENT_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{mailbox.domain.name}.mobileconfig"'},
    )
