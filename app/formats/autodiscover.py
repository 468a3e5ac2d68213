"""Microsoft Autodiscover, plain-old-XML ([MS-OXDSCLI]) and its v2 JSON front.

Outlook 2010-2019, eM Client and many mobile apps POST the request XML;
modern Outlook first asks the JSON endpoint for the URL of the XML one.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from ..settings import MailDomain, Settings
from . import UnreadableXml, parse_xml, render

CONTENT_TYPE = "text/xml; charset=utf-8"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"

OUTLOOK_SCHEMA = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"
MOBILESYNC_SCHEMA = "http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006"

# Error codes of [MS-OXDSCLI] 2.2.4.1.2.
INVALID_REQUEST = 600
PROVIDER_UNAVAILABLE = 601
NO_SUCH_ADDRESS = 500

MESSAGES = {
    INVALID_REQUEST: "Invalid Request",
    PROVIDER_UNAVAILABLE: "Provider is not available",
    # exchangelib and Outlook recognise this exact sentence.
    NO_SUCH_ADDRESS: "The e-mail address cannot be found.",
}

# Outlook reads Encryption; Thunderbird reads only SSL and guesses the rest.
ENCRYPTION = {"ssl": "SSL", "starttls": "TLS"}


class InvalidRequest(ValueError):
    """The request body is not an Autodiscover request we can answer."""


@dataclass(frozen=True)
class AutodiscoverRequest:
    address: str
    schema: str


def parse_request(body: bytes) -> AutodiscoverRequest:
    """Read the address and schema from a request body.

    The caller caps the body's size before it gets here.
    """
    if not body.strip():
        raise InvalidRequest("empty body")
    try:
        root = parse_xml(body)
    except UnreadableXml as exc:
        raise InvalidRequest("not well-formed XML") from exc
    # Match on local names: some clients omit the request namespace.
    fields = {local_name(el.tag): (el.text or "").strip() for el in root.iter()}
    if local_name(root.tag) != "Autodiscover" or not fields.get("EMailAddress"):
        raise InvalidRequest("no EMailAddress in the request")
    return AutodiscoverRequest(fields["EMailAddress"], fields.get("AcceptableResponseSchema") or OUTLOOK_SCHEMA)


def local_name(tag: object) -> str:
    """An element's name without its namespace ("" for comments and the like)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def outlook_response(settings: Settings, domain: MailDomain, address: str | None) -> bytes:
    """The Outlook (2006a) settings response: one Protocol per service, then
    CalDAV and CardDAV when the domain has them.

    Without an address (a body-less GET, as Delta Chat sends) there is no
    User and no LoginName: the client logs in with the address it has.
    """
    return render(
        "autodiscover.xml",
        settings=settings,
        domain=domain,
        address=address,
        encryption=ENCRYPTION,
        dav_username=domain.dav.username(address) if domain.dav and address else None,
    )


def mobilesync_response(address: str | None) -> bytes:
    """ActiveSync is not offered: say so in the mobilesync format, so the
    new Outlook falls back to IMAP instead of retrying or guessing."""
    return render("autodiscover-mobilesync.xml", address=address)


def error_response(code: int) -> bytes:
    """An Autodiscover error document; each gets its own Id and Time."""
    return render(
        "autodiscover-error.xml",
        code=code,
        message=MESSAGES[code],
        time=datetime.now(UTC).strftime("%H:%M:%S.%f"),
        error_id=secrets.randbelow(2**31),
    )


def v1_url(domain: MailDomain, locations: tuple[str, ...], request_host: str) -> str:
    """Where the POX endpoint lives for `domain`, always over https.

    autodiscover.<domain> when it is one of the app's locations (it has a
    certificate for that name), else the host the client already reached.
    """
    host = f"autodiscover.{domain.name}"
    return f"https://{host if host in locations else request_host}/autodiscover/autodiscover.xml"


def json_redirect(url: str) -> bytes:
    return json.dumps({"Protocol": "AutodiscoverV1", "Url": url}).encode()


def json_error(code: str, message: str) -> bytes:
    return json.dumps({"ErrorCode": code, "ErrorMessage": message}).encode()
