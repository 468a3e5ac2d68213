"""The DNS records a mail domain should have: ONE list, derived from the
settings model, read by both the zone snippet (app/admin/zone.py) and the
live DNS checks (app/admin/dns_check.py), so what the page asks the admin to
publish is exactly what it checks and what the app serves.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..formats import pacc
from ..names import PACC_PREFIX, PREFIXES
from ..settings import MailDomain, Service, Settings

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


def expected_records(
    settings: Settings, domain: MailDomain, previous_pacc_digest: str | None = None
) -> tuple[Record, ...]:
    """`previous_pacc_digest`: the PACC document's digest before the last
    change of settings, whose record stays until clients have caught up."""
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
    return (*records, *_pacc_records(settings, domain, previous_pacc_digest))


def _pacc_records(settings: Settings, domain: MailDomain, previous_digest: str | None) -> list[Record]:
    """The host PACC clients fetch from and the TXT record that vouches for
    the document's bytes; none while the settings cannot be published."""
    body = pacc.document(settings, domain)
    if body is None:
        return []
    d, current = domain.name, pacc.digest(body)
    records = [
        Record(f"{PACC_PREFIX}{d}", CNAME, f"{settings.app_domain}.", "PACC clients (IETF draft)"),
        Record(
            f"{pacc.TXT_PREFIX}{d}", TXT, f'"{pacc.txt_record(current)}"', "PACC: the digest of the document served"
        ),
    ]
    if previous_digest and previous_digest != current:
        records.append(
            Record(
                f"{pacc.TXT_PREFIX}{d}",
                TXT,
                f'"{pacc.txt_record(previous_digest)}"',
                "PACC: the document served before the last change; remove it a TTL after the new one is published",
            )
        )
    return records


def _label(service: Service) -> str:
    return SRV_LABELS[service.protocol, service.implicit_tls]


def _tls_words(service: Service) -> str:
    return "implicit TLS" if service.implicit_tls else "STARTTLS"
