"""The DNS records a mail domain should have: ONE list, derived from the
settings model, read by both the zone snippet (app/admin/zone.py) and the
live DNS checks (app/admin/dns_check.py), so what the page asks the admin to
publish is exactly what it checks and what the app serves.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..names import PREFIXES
from ..settings import Dav, MailDomain, Service, Settings

CNAME, SRV, MX, TXT = "CNAME", "SRV", "MX", "TXT"

# RFC 6186 (IMAP/POP3/submission) and RFC 8314 (implicit TLS) service labels:
# each is published, either pointing at the mail host or, for a service not
# offered, at "." so clients stop guessing.
SRV_LABELS = {
    ("IMAP", True): "_imaps",
    ("IMAP", False): "_imap",
    ("POP3", True): "_pop3s",
    ("POP3", False): "_pop3",
    ("SMTP", True): "_submissions",
    ("SMTP", False): "_submission",
}
# RFC 6186 section 3.4: priority says IMAP is preferred over POP3.
SRV_PRIORITY = {"IMAP": 0, "POP3": 10, "SMTP": 0}
# Cloudron's mail server; the lowest preference value is the usual 10.
MX_PREFERENCE = 10


@dataclass(frozen=True)
class Record:
    name: str  # owner name, ASCII, without the trailing dot
    type: str  # CNAME, SRV, MX or TXT, as the zone snippet publishes it
    data: str  # the record data in zone-file syntax
    purpose: str  # what clients use it for, shown next to it

    @property
    def target(self) -> str:
        return target_of(self.data)


def target_of(data: str) -> str:
    """The host a CNAME, SRV or MX record points at (its last field)."""
    return data.rsplit(" ", 1)[-1]


def expected_records(settings: Settings, domain: MailDomain) -> tuple[Record, ...]:
    d = domain.name
    # Each location should lead to this app; a CNAME to its primary location
    # does that whatever the server's address is.
    records = [
        Record(
            f"{prefix}{d}",
            CNAME,
            f"{settings.app_domain}.",
            "Thunderbird and most clients" if prefix == "autoconfig." else "Outlook",
        )
        for prefix in PREFIXES
    ]
    records.append(
        Record(
            f"_autodiscover._tcp.{d}",
            SRV,
            f"0 1 443 autodiscover.{d}.",
            f"Outlook, when autodiscover.{d} cannot be reached",
        )
    )
    offered: dict[str, list[Service]] = {}
    for service in settings.services:
        if service.enabled:
            offered.setdefault(_label(service), []).append(service)
    for label in SRV_LABELS.values():
        name = f"{label}._tcp.{d}"
        for service in offered.get(label, ()):
            records.append(
                Record(
                    name,
                    SRV,
                    f"{SRV_PRIORITY[service.protocol]} 1 {service.port} {service.host}.",
                    f"{service.protocol} ({_tls_words(service)}), RFC 6186/8314",
                )
            )
        if label not in offered:
            records.append(Record(name, SRV, "0 0 0 .", "not offered: tells clients not to try"))
    records.append(Record(d, MX, f"{MX_PREFERENCE} {settings.mail_host}.", "mail delivery"))
    if domain.dav:
        records += dav_records(domain.dav, d)
    return tuple(records)


def dav_records(dav: Dav, domain_name: str) -> list[Record]:
    """RFC 6764: where Thunderbird and DAVx⁵ look for calendars and contacts
    of an address at `domain_name`: an SRV naming the DAV app, and a TXT
    with the path on the same name (else they try /.well-known/ and guess)."""
    records = []
    for label, kind, endpoint in (("_caldavs", "calendars", dav.caldav), ("_carddavs", "contacts", dav.carddav)):
        name = f"{label}._tcp.{domain_name}"
        purpose = f"{kind} (CalDAV)" if label == "_caldavs" else f"{kind} (CardDAV)"
        records.append(Record(name, SRV, f"0 1 {endpoint.port} {endpoint.host}.", f"{purpose}: Thunderbird, DAVx⁵"))
        records.append(Record(name, TXT, _txt(f"path={endpoint.path}"), f"{purpose}: the path on {endpoint.host}"))
    return records


def _label(service: Service) -> str:
    return SRV_LABELS[service.protocol, service.implicit_tls]


def _tls_words(service: Service) -> str:
    return "implicit TLS" if service.implicit_tls else "STARTTLS"


def _txt(text: str) -> str:
    """A TXT string in zone-file syntax, escaped as dnspython prints it."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
