"""The discovery endpoints: autoconfig, Autodiscover (XML and JSON), health.

Views only parse the request, pick the document and return it; the
documents themselves come ready-made from app.documents.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, g, request
from werkzeug.exceptions import RequestEntityTooLarge

from ..documents import Documents
from ..formats import autoconfig, autodiscover
from ..names import parse_address
from . import NOT_AN_ADDRESS, UNKNOWN_DOMAIN, host_domain, plain, public_base_url, public_host, settings

bp = Blueprint("discovery", __name__)


def documents() -> Documents:
    return current_app.extensions["documents"]


@bp.after_request
def remember(response: Response) -> Response:
    # For the admin page; the domain only, never the address (g.mail_domain).
    current_app.extensions["recent"].record(request.endpoint, g.get("mail_domain"),
                                            request.headers.get("User-Agent", ""),
                                            response.status_code)
    return response


@bp.get("/healthz")
def health():
    return plain(200, "ok")


@bp.get("/mail/config-v1.1.xml")
@bp.get("/.well-known/autoconfig/mail/config-v1.1.xml")
def autoconfig_xml():
    # emailaddress is optional: K-9, KMail, Geary and Delta Chat never send it.
    raw = request.args.get("emailaddress", "").strip()
    if raw:
        try:
            _, name = parse_address(raw)
        except ValueError:
            return plain(400, NOT_AN_ADDRESS)
        domain = settings().domain(name)
        g.mail_domain = name
    else:
        domain = host_domain()
        g.mail_domain = domain and domain.name
    if domain is None:
        return plain(404, UNKNOWN_DOMAIN)
    setup_url = public_base_url() + "/"
    if host_domain() != domain:
        setup_url += f"?domain={domain.name}"
    return Response(documents().autoconfig(domain, setup_url),
                    content_type=autoconfig.CONTENT_TYPE)


@bp.route("/autodiscover/autodiscover.xml", methods=["GET", "POST"])
def autodiscover_xml():
    # Errors are HTTP 200 in Autodiscover's own format: that is what clients read.
    body = request.get_data(cache=False)
    # With a Content-Length over the cap Werkzeug answers 413 itself; a
    # chunked body it cuts at the cap, silently: refuse that the same way.
    if len(body) >= current_app.config["MAX_CONTENT_LENGTH"]:
        raise RequestEntityTooLarge()
    try:
        asked = autodiscover.parse_request(body)
    except autodiscover.InvalidRequest:
        return _xml(autodiscover.error_response(autodiscover.INVALID_REQUEST))
    schema = asked.schema.lower()
    if schema == autodiscover.MOBILESYNC_SCHEMA.lower():
        return _xml(documents().mobilesync(asked.address))
    if schema != autodiscover.OUTLOOK_SCHEMA.lower():
        return _xml(autodiscover.error_response(autodiscover.PROVIDER_UNAVAILABLE))
    try:
        address, name = parse_address(asked.address)
    except ValueError:
        return _xml(autodiscover.error_response(autodiscover.INVALID_REQUEST))
    g.mail_domain = name
    domain = settings().domain(name)
    if domain is None:
        return _xml(autodiscover.error_response(autodiscover.NO_SUCH_ADDRESS))
    return _xml(documents().outlook(domain, address))


def _xml(body: bytes) -> Response:
    return Response(body, content_type=autodiscover.CONTENT_TYPE)


@bp.get("/autodiscover/autodiscover.json")
@bp.get("/autodiscover/autodiscover.json/<version>/<path:address>")
def autodiscover_json(version: str | None = None, address: str | None = None):
    # Outlook varies the case of parameter names and values.
    args = {key.lower(): value for key, value in request.args.items()}
    if version is not None and version.lower() != "v1.0":
        return _json(404, autodiscover.json_error("NotFound", "Unknown API version"))
    if args.get("protocol", "").lower() != "autodiscoverv1":
        return _json(400, autodiscover.json_error(
            "InvalidProtocol", "Only the AutodiscoverV1 protocol is offered here"))
    try:
        _, name = parse_address(address or args.get("email", ""))
    except ValueError:
        return _json(400, autodiscover.json_error(
            "InvalidEmailAddress", "Email must be an email address"))
    g.mail_domain = name
    domain = settings().domain(name)
    if domain is None:
        return _json(404, autodiscover.json_error(
            "DomainNotFound", "No mail settings are published here for that domain"))
    url = autodiscover.v1_url(domain, settings().locations, public_host())
    return _json(200, autodiscover.json_redirect(url))


def _json(status: int, body: bytes) -> Response:
    return Response(body, status, content_type=autodiscover.JSON_CONTENT_TYPE)
