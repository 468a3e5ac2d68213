"""The admin report: everything /admin and /admin/report.json show, built by
plain functions from the settings model plus live checks (DNS, self-test)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

from ..names import PREFIXES
from ..settings import LOGIN_ADDRESS, LOGIN_LOCAL_PART, MailDomain, Settings, Source
from ..signing import ProfileSigner
from . import dav_check, dns_check, self_test, zone
from .dav_check import DavResult
from .dns_check import ADDRESS_TYPES, Check, Resolver
from .levels import Level
from .recent import RecentRequests
from .records import ALIAS_CONSEQUENCES, expected_records
from .self_test import Result

PRIVACY_NOTE = (
    "Kept in memory only, the last {capacity} requests, across all workers: no email "
    "address and no User-Agent is stored, only the client family guessed from it. "
    "Emptied when the app restarts."
)


@dataclass(frozen=True)
class Location:
    host: str  # ASCII
    unicode_host: str
    present: bool
    level: Level
    consequence: str

    @property
    def subdomain(self) -> str:
        """What Cloudron's alias form asks first, before the domain."""
        return self.host.split(".", 1)[0]

    @property
    def domain(self) -> str:
        return self.host.split(".", 1)[1]


# A real-looking address, so the admin sees what a user's login becomes.
EXAMPLE_LOCAL_PART = "jane.doe"
LOGIN_WORDS = {
    LOGIN_ADDRESS: "the whole email address",
    LOGIN_LOCAL_PART: "the part before @",
}


@dataclass(frozen=True)
class DavReport:
    """Calendars and contacts of one domain: what is published, and whether it works."""

    caldav_url: str
    carddav_url: str
    login: str  # in words
    example_address: str
    example_login: str | None  # None: the device asks
    clients: tuple[tuple[str, str], ...]  # (client, how it finds the calendars), one sentence each
    checks: tuple[DavResult, ...]


@dataclass(frozen=True)
class DomainReport:
    name: str
    unicode_name: str
    locations: tuple[Location, ...]
    dns: tuple[Check, ...]
    zone_snippet: str
    self_test: tuple[Result, ...]
    dav: DavReport | None = None

    @property
    def problems(self) -> int:
        """Only what breaks some client family: the banner counts these."""
        return self.not_ok(Level.REQUIRED)

    @property
    def recommendations(self) -> int:
        return self.not_ok(Level.RECOMMENDED)

    @property
    def optional(self) -> int:
        return self.not_ok(Level.OPTIONAL)

    def not_ok(self, level: Level) -> int:
        return sum(row_level == level and not ok for row_level, ok in self._rows())

    def dns_at(self, level: Level) -> tuple[Check, ...]:
        return tuple(c for c in self.dns if c.level == level)

    @property
    def missing_aliases(self) -> tuple[Location, ...]:
        return tuple(loc for loc in self.locations if not loc.present)

    def _rows(self) -> Iterator[tuple[Level, bool]]:
        yield from ((loc.level, loc.present) for loc in self.locations)
        yield from ((c.level, c.ok) for c in self.dns)
        yield from ((r.level, r.ok) for r in self.self_test)
        yield from ((r.level, r.ok) for r in (self.dav.checks if self.dav else ()))


@dataclass(frozen=True)
class Setting:
    key: str
    value: str
    source: str


@dataclass(frozen=True)
class RecentRequest:
    time: str
    endpoint: str
    domain: str | None
    client: str
    status: int
    outcome: str


@dataclass(frozen=True)
class Report:
    generated: str
    environment: str
    mail_host: str
    domains: tuple[DomainReport, ...]
    settings: tuple[Setting, ...]
    config_file: str
    config_error: str | None
    environment_problems: tuple[str, ...]
    signing: str  # whether Apple profiles are signed, and as whom or why not
    recent_requests: tuple[RecentRequest, ...]
    recent_note: str

    @property
    def problems(self) -> int:
        return sum(d.problems for d in self.domains) + bool(self.config_error) + len(self.environment_problems)

    @property
    def recommendations(self) -> int:
        return sum(d.recommendations for d in self.domains)

    @property
    def optional(self) -> int:
        return sum(d.optional for d in self.domains)


def build(settings: Settings, signer: ProfileSigner, resolver: Resolver, recent: RecentRequests) -> Report:
    records = {d.name: expected_records(settings, d) for d in settings.domains}
    dav_probes = {d.name: dav_check.probes(d.dav) if d.dav else [] for d in settings.domains}
    dav_hosts = {probe.host for domain_probes in dav_probes.values() for probe in domain_probes}
    results = resolver.lookup_all(
        [
            *(q for rs in records.values() for q in dns_check.queries(rs)),
            *((host, kind) for host in dav_hosts for kind in ADDRESS_TYPES),
        ]
    )
    probes = {d.name: self_test.probes(settings, d) for d in settings.domains}
    # The DAV app is asked while the self-test runs: one wait, not two.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="dav-check") as thread:
        dav_answers = thread.submit(
            dav_check.run,
            [(p, dns_check.addresses(results, p.host)) for domain_probes in dav_probes.values() for p in domain_probes],
        )
        fetched = iter(
            self_test.run(
                (probe, dns_check.addresses(results, probe.host))
                for domain_probes in probes.values()
                for probe in domain_probes
            )
        )
        dav_fetched = iter(dav_answers.result())
    domains = tuple(
        DomainReport(
            name=d.name,
            unicode_name=d.unicode_name,
            locations=tuple(
                Location(
                    f"{p}{d.name}",
                    f"{p}{d.unicode_name}",
                    f"{p}{d.name}" in settings.locations,
                    Level.REQUIRED,
                    ALIAS_CONSEQUENCES[p],
                )
                for p in PREFIXES
            ),
            dns=tuple(dns_check.check(records[d.name], results)),
            zone_snippet=zone.snippet(settings, d),
            self_test=tuple(next(fetched) for _ in probes[d.name]),
            dav=_dav_report(d, tuple(next(dav_fetched) for _ in dav_probes[d.name])),
        )
        for d in settings.domains
    )
    return Report(
        generated=_iso(datetime.now(UTC).timestamp()),
        environment=(Source.DEMO if settings.demo else Source.ENVIRONMENT).value,
        mail_host=settings.mail_host,
        domains=domains,
        settings=tuple(Setting(p.key, p.value, p.source) for p in settings.provenance),
        config_file=settings.config_file,
        config_error=settings.config_error,
        environment_problems=settings.environment_problems,
        signing=f"signed as {signer.name}" if signer.signs else f"unsigned: {signer.detail}",
        recent_requests=tuple(
            RecentRequest(_iso(e.time), e.endpoint, e.domain, e.family, e.status, outcome(settings, e.status, e.domain))
            for e in recent.entries()
        ),
        recent_note=PRIVACY_NOTE.format(capacity=recent.capacity),
    )


def _dav_report(domain: MailDomain, checks: tuple[DavResult, ...]) -> DavReport | None:
    dav = domain.dav
    if dav is None:
        return None
    example = f"{EXAMPLE_LOCAL_PART}@{domain.unicode_name}"
    d = domain.unicode_name
    return DavReport(
        caldav_url=dav.caldav.url,
        carddav_url=dav.carddav.url,
        login=LOGIN_WORDS.get(dav.login, "none: the device asks for it"),
        example_address=example,
        example_login=dav.username(example),
        clients=(
            (
                "Thunderbird and DAVx⁵ (Android)",
                f"once the mail account exists, they look up the _caldavs._tcp.{d} and _carddavs._tcp.{d} "
                "SRV and TXT records above and log in with the address and password the user typed.",
            ),
            ("iPhone, iPad and Mac", "the profile from the setup page adds calendar and contact accounts with mail."),
            ("eM Client", "reads the CalDAV and CardDAV entries of the Autodiscover answer."),
            ("Evolution and other autoconfig readers", "read <calendar> and <addressbook> in the autoconfig document."),
            ("Outlook", "has no CalDAV or CardDAV support and sets up mail only."),
        ),
        checks=checks,
    )


def outcome(settings: Settings, status: int, domain: str | None) -> str:
    if status >= 400:
        return f"refused (HTTP {status})"
    if settings.domain(domain):
        return "settings sent"
    # Autodiscover says "no" inside an HTTP 200, as clients expect.
    return "error answer"


COUNTS = ("problems", "recommendations", "optional")


def to_json(report: Report) -> str:
    """The report with its counts: monitoring alerts on `problems` (required
    items only); the other two count what is merely missing."""
    data = dataclasses.asdict(report)
    data.update((count, getattr(report, count)) for count in COUNTS)
    for domain, raw in zip(report.domains, data["domains"], strict=True):
        raw.update((count, getattr(domain, count)) for count in COUNTS)
    return json.dumps(data, indent=2, ensure_ascii=False)


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
