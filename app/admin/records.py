"""The DNS records a mail domain should have: ONE list, derived from the
settings model, read by both the zone snippet (app/admin/zone.py) and the
live DNS checks (app/admin/dns_check.py), so what the page asks the admin to
publish is exactly what it checks and what the app serves.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..names import PREFIXES
from ..settings import Dav, MailDomain, Service, Settings
from .levels import Level

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

# What breaks without each alias location of the app (and the name's address
# record): the clients that ask that host first (../docs: clients.md).
ALIAS_CONSEQUENCES = {
    "autoconfig.": "without it Thunderbird, K-9, Evolution, KMail, Delta Chat and Geary find no settings",
    "autodiscover.": "without it Outlook and eM Client find no settings",
}


@dataclass(frozen=True)
class Record:
    name: str  # owner name, ASCII, without the trailing dot
    type: str  # CNAME, SRV, MX or TXT, as the zone snippet publishes it
    data: str  # the record data in zone-file syntax
    level: Level  # how much it matters; only REQUIRED ones count as problems
    consequence: str  # one line: what breaks, or what improves, with it

    @property
    def target(self) -> str:
        return target_of(self.data)

    @property
    def made_by_cloudron(self) -> bool:
        """Every CNAME here leads to one of the app's alias locations, and
        Cloudron creates those records itself when the alias is added (on
        domains whose DNS it manages): the zone snippet says so."""
        return self.type == CNAME


def target_of(data: str) -> str:
    """The host a CNAME, SRV or MX record points at (its last field)."""
    return data.rsplit(" ", 1)[-1]


def expected_records(settings: Settings, domain: MailDomain) -> tuple[Record, ...]:
    d = domain.name
    # Each location should lead to this app; a CNAME to its primary location
    # does that whatever the server's address is.
    records = [
        Record(f"{prefix}{d}", CNAME, f"{settings.app_domain}.", Level.REQUIRED, ALIAS_CONSEQUENCES[prefix])
        for prefix in PREFIXES
    ]
    records.append(
        Record(
            f"_autodiscover._tcp.{d}",
            SRV,
            f"0 1 443 autodiscover.{d}.",
            Level.RECOMMENDED,
            f"Outlook's fallback: it still finds the settings when autodiscover.{d} does not answer",
        )
    )
    offered: dict[str, list[Service]] = {}
    for service in settings.services:
        if service.enabled:
            offered.setdefault(_label(service), []).append(service)
    for (protocol, implicit_tls), label in SRV_LABELS.items():
        name = f"{label}._tcp.{d}"
        for service in offered.get(label, ()):
            records.append(
                Record(
                    name,
                    SRV,
                    f"{SRV_PRIORITY[service.protocol]} 1 {service.port} {service.host}.",
                    Level.RECOMMENDED,
                    f"{service.protocol} ({_tls_words(service.implicit_tls)}): clients that ask DNS (RFC 6186/8314) "
                    "find the server without this app",
                )
            )
        if label not in offered:
            records.append(
                Record(
                    name,
                    SRV,
                    "0 0 0 .",
                    Level.OPTIONAL,
                    f"says {protocol} ({_tls_words(implicit_tls)}) is not offered: clients that ask DNS stop trying it",
                )
            )
    records.append(
        Record(
            d,
            MX,
            f"{MX_PREFERENCE} {settings.mail_host}.",
            Level.INFORMATIONAL,
            "mail delivery to Cloudron's mail server, which Cloudron manages; discovery works without it",
        )
    )
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
        found_by = f"{purpose}: Thunderbird and DAVx⁵ find them from the address alone"
        records.append(Record(name, SRV, f"0 1 {endpoint.port} {endpoint.host}.", Level.RECOMMENDED, found_by))
        records.append(
            Record(
                name,
                TXT,
                _txt(f"path={endpoint.path}"),
                Level.RECOMMENDED,
                f"{purpose}: the path on {endpoint.host}; without it clients try /.well-known/ and guess",
            )
        )
    return records


def _label(service: Service) -> str:
    return SRV_LABELS[service.protocol, service.implicit_tls]


def _tls_words(implicit_tls: bool) -> str:
    return "implicit TLS" if implicit_tls else "STARTTLS"


def _txt(text: str) -> str:
    """A TXT string in zone-file syntax, escaped as dnspython prints it."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
