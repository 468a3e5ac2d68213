"""PACC (draft-ietf-mailmaint-pacc): the IETF's one JSON document per domain.

A client fetches it from https://ua-auto-config.<domain>/ and trusts it only
if its SHA-256 matches a TXT record at _ua-auto-config.<domain>, so the body
must be the same bytes for as long as the settings are: fixed key order,
fixed separators, UTF-8, nothing from the request.

The draft fixes ports and TLS (IMAP 993, POP3 995, submission 465, all
implicit TLS): a service elsewhere cannot be described, and a document
without outgoing mail would leave clients unable to send, so then there is
no document at all, only the reason.
"""

from __future__ import annotations

import base64
import hashlib
import json

from ..names import PACC_PREFIX
from ..settings import MailDomain, Service, Settings

CONTENT_TYPE = "application/json"
PATH = "/.well-known/user-agent-configuration.json"
HOST_PREFIX = PACC_PREFIX
TXT_PREFIX = "_ua-auto-config."
TXT_VERSION = "UAAC1"

# The only ports and TLS mode the draft allows, per protocol key.
INCOMING_KEYS = {"IMAP": ("imap", 993), "POP3": ("pop3", 995)}
SUBMISSION_PORT = 465
# -03 renamed smtp to submit; clients ignore unknown keys, so both are sent.
SUBMISSION_KEYS = ("submit", "smtp")
# The draft's limits on the provider's names.
NAME_MAX, SHORT_NAME_MAX = 60, 20


def unavailable_because(settings: Settings) -> str | None:
    """Why the settings cannot be published as PACC, or None when they can."""
    if not _incoming(settings):
        return "PACC needs IMAP on port 993 or POP3 on port 995 with implicit TLS (ssl)"
    if _submission(settings) is None:
        return (
            "PACC can only describe outgoing mail as submission on port 465 with implicit TLS: "
            "enable services.submissions (port 465, tls ssl) in the config file"
        )
    return None


def document(settings: Settings, domain: MailDomain) -> bytes | None:
    """The document for `domain`, or None when unavailable_because() says why."""
    submission = _submission(settings)
    if unavailable_because(settings) is not None or submission is None:
        return None
    protocols: dict[str, dict[str, str]] = {key: {"host": s.host} for key, s in _incoming(settings)}
    protocols |= {key: {"host": submission.host} for key in SUBMISSION_KEYS}
    if domain.dav:
        # The draft wants a path beyond "/": a DAV app at the root (Radicale) is left out.
        endpoints = {"caldav": domain.dav.caldav, "carddav": domain.dav.carddav}
        protocols |= {key: {"url": e.url} for key, e in endpoints.items() if e.path.strip("/")}
    content = {
        "protocols": protocols,
        "authentication": {"password": True},
        "info": {
            "provider": {
                "name": domain.display_name[:NAME_MAX],
                "shortName": domain.unicode_name.split(".")[0][:SHORT_NAME_MAX],
            },
            # The setup page, on the one host a PACC client certainly reached.
            "help": {"documentation": f"https://{HOST_PREFIX}{domain.name}/"},
        },
    }
    return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def digest(body: bytes) -> str:
    """The base64 SHA-256 that the TXT record carries."""
    return base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")


def txt_record(sha256: str) -> str:
    """The TXT record's text for a digest(), tags in the draft's order."""
    return f"v={TXT_VERSION}; a=sha256; d={sha256}"


def _incoming(settings: Settings) -> list[tuple[str, Service]]:
    """The incoming services the draft can express, in preference order."""
    return [
        (INCOMING_KEYS[s.protocol][0], s)
        for s in settings.incoming
        if s.implicit_tls and s.port == INCOMING_KEYS[s.protocol][1]
    ]


def _submission(settings: Settings) -> Service | None:
    return next((s for s in settings.outgoing if s.implicit_tls and s.port == SUBMISSION_PORT), None)
