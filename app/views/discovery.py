"""The discovery endpoints: autoconfig, Autodiscover (XML and JSON), PACC, health.

Views only parse the request, pick the document and return it; the
documents themselves come ready-made from app.documents. Each view leaves
the domain it was asked about in g.mail_domain (never the address), for
whoever keeps a record of requests.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, request
from werkzeug.exceptions import RequestEntityTooLarge

from ..formats import autoconfig, autodiscover, pacc
from ..lookup import NotAnAddress, NotServedHere, lookup
from ..names import PACC_PREFIX, parse_address, split_host
from ..runtime import runtime
from . import NOT_AN_ADDRESS, NOT_SERVED_HERE, host_domain, plain, public_base_url, public_host

bp = Blueprint("discovery", __name__)


@bp.get("/healthz")
def health() -> Response:
    return plain(200, "ok")


@bp.get("/mail/config-v1.1.xml")
@bp.get("/.well-known/autoconfig/mail/config-v1.1.xml")
def autoconfig_xml() -> Response:
    # emailaddress is optional: K-9, KMail and Geary never send it; Delta
    # Chat sends it to autoconfig.<d> but leaves it out on <d>/.well-known.
    raw = request.args.get("emailaddress", "").strip()
    domain = host_domain()
    if raw:
        try:
            domain = lookup(runtime().settings, raw).domain
        except NotAnAddress:
            return plain(400, NOT_AN_ADDRESS)
        except NotServedHere as refusal:
            g.mail_domain = refusal.domain_name
            return plain(404, NOT_SERVED_HERE)
    g.mail_domain = domain and domain.name
    if domain is None:
        return plain(404, NOT_SERVED_HERE)
    setup_url = public_base_url() + "/"
    if host_domain() != domain:
        setup_url += f"?domain={domain.name}"
    return Response(runtime().documents.autoconfig(domain, setup_url), content_type=autoconfig.CONTENT_TYPE)


@bp.route("/autodiscover/autodiscover.xml", methods=["GET", "POST"])
def autodiscover_xml() -> Response:
    # Errors are HTTP 200 in Autodiscover's own format: that is what clients read.
    body = request.get_data(cache=False)
    # With a Content-Length over the cap Werkzeug answers 413 itself; a
    # chunked body it cuts at the cap, silently: refuse that the same way.
    if len(body) >= current_app.config["MAX_CONTENT_LENGTH"]:
        raise RequestEntityTooLarge()
    if not body.strip():
        return _settings_of_the_host()
    try:
        asked = autodiscover.parse_request(body)
    except autodiscover.InvalidRequest:
        return _xml(autodiscover.error_response(autodiscover.INVALID_REQUEST))
    schema = asked.schema.lower()
    if schema == autodiscover.MOBILESYNC_SCHEMA.lower():
        return _xml(runtime().documents.mobilesync(_valid_address(asked.address)))
    if schema != autodiscover.OUTLOOK_SCHEMA.lower():
        return _xml(autodiscover.error_response(autodiscover.PROVIDER_UNAVAILABLE))
    try:
        mailbox = lookup(runtime().settings, asked.address)
    except NotAnAddress:
        return _xml(autodiscover.error_response(autodiscover.INVALID_REQUEST))
    except NotServedHere as refusal:
        g.mail_domain = refusal.domain_name
        return _xml(autodiscover.error_response(autodiscover.NO_SUCH_ADDRESS))
    g.mail_domain = mailbox.domain.name
    return _xml(runtime().documents.outlook(mailbox.domain, mailbox.address))


def _settings_of_the_host() -> Response:
    """A request with no body names no address: Delta Chat GETs this URL on
    <d> and autodiscover.<d> and stops at the first 2xx XML answer. The
    served domain the host names gets its settings; any other host a 404,
    so the client moves on to its next source instead of stopping here."""
    domain = host_domain()
    g.mail_domain = domain and domain.name
    if domain is None:
        return plain(404, NOT_SERVED_HERE)
    return _xml(runtime().documents.outlook_without_address(domain))


def _valid_address(raw: str) -> str | None:
    """The address normalised when it is one, else None: never echo raw input."""
    try:
        return parse_address(raw)[0]
    except ValueError:
        return None


def _xml(body: bytes) -> Response:
    return Response(body, content_type=autodiscover.CONTENT_TYPE)


@bp.get("/autodiscover/autodiscover.json")
@bp.get("/autodiscover/autodiscover.json/<version>/<path:address>")
def autodiscover_json(version: str | None = None, address: str | None = None) -> Response:
    # Outlook varies the case of parameter names and values.
    args = {key.lower(): value for key, value in request.args.items()}
    if version is not None and version.lower() != "v1.0":
        return _json(404, autodiscover.json_error("NotFound", "Unknown API version"))
    if args.get("protocol", "").lower() != "autodiscoverv1":
        return _json(
            400, autodiscover.json_error("InvalidProtocol", "Only the AutodiscoverV1 protocol is offered here")
        )
    try:
        mailbox = lookup(runtime().settings, address or args.get("email", ""))
    except NotAnAddress:
        return _json(400, autodiscover.json_error("InvalidEmailAddress", "Email must be an email address"))
    except NotServedHere as refusal:
        g.mail_domain = refusal.domain_name
        return _json(404, autodiscover.json_error("DomainNotFound", NOT_SERVED_HERE))
    g.mail_domain = mailbox.domain.name
    url = autodiscover.v1_url(mailbox.domain, runtime().settings.locations, public_host())
    return _json(200, autodiscover.json_redirect(url))


def _json(status: int, body: bytes) -> Response:
    return Response(body, status, content_type=autodiscover.JSON_CONTENT_TYPE)


@bp.get(pacc.PATH)
def pacc_document() -> Response:
    # Only on ua-auto-config.<domain>: the host is how the client names the
    # domain, and the one name the TXT record's digest is published for.
    prefix, name = split_host(request.host) or ("", "")
    domain = runtime().settings.domain(name) if prefix == PACC_PREFIX else None
    g.mail_domain = domain and domain.name
    if domain is None:
        return plain(404, "No PACC document is published for this host: ask ua-auto-config.<your mail domain>")
    body = runtime().documents.pacc(domain)
    if body is None:
        return plain(404, f"PACC is off here: {pacc.unavailable_because(runtime().settings)}")
    return Response(body, content_type=pacc.CONTENT_TYPE)
