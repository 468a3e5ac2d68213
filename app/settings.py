"""The settings model: the single source of truth for every output format.

It is built once at start (app/settings_loader.py) from the Cloudron
environment and the optional admin config file, and never changes while the
app runs: Cloudron restarts the app whenever its environment changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from urllib.parse import urlsplit

from .names import unicode_domain

IMPLICIT_TLS = "ssl"
STARTTLS = "starttls"
TLS_MODES = (IMPLICIT_TLS, STARTTLS)


class Source(Enum):
    """Where a value came from, as the admin page says it."""

    ENVIRONMENT = "Cloudron environment"
    DEMO = "demo environment"
    CONFIG = "config file"
    DEFAULT = "default"


@dataclass(frozen=True)
class Provenance:
    """One effective setting as the admin page lists it."""

    key: str  # as the config file spells it, e.g. services.imap.port
    value: str  # as the admin page shows it
    sources: tuple[Source, ...]

    @property
    def source(self) -> str:
        return " and ".join(s.value for s in self.sources)


@dataclass(frozen=True)
class Service:
    """One mail service as clients are told to reach it."""

    name: str  # the config key: imap, pop3, submission, submissions
    protocol: str  # IMAP, POP3 or SMTP
    host: str
    port: int
    tls: str  # IMPLICIT_TLS or STARTTLS; plaintext is never offered
    enabled: bool

    @property
    def incoming(self) -> bool:
        return self.protocol != "SMTP"

    @property
    def implicit_tls(self) -> bool:
        return self.tls == IMPLICIT_TLS


# Cloudron's mail server: IMAP 993 and submission 587 are always on;
# POP3 and SMTP on 465 exist on recent versions and are one switch away.
# The order is the clients' order of preference: IMAP before POP3, and
# implicit TLS before STARTTLS (RFC 8314).
DEFAULT_SERVICES = (
    ("imap", "IMAP", 993, IMPLICIT_TLS, True),
    ("pop3", "POP3", 995, IMPLICIT_TLS, False),
    ("submissions", "SMTP", 465, IMPLICIT_TLS, False),
    ("submission", "SMTP", 587, STARTTLS, True),
)
SERVICE_NAMES = tuple(name for name, *_ in DEFAULT_SERVICES)


# The login a DAV app is told to expect: the whole address, the part before
# "@" (Cloudron DAV apps usually want the Cloudron username, which the
# mailbox name often is), or nothing, so the device asks.
LOGIN_ADDRESS = "address"
LOGIN_LOCAL_PART = "localpart"
LOGIN_NONE = "none"
LOGIN_MODES = (LOGIN_ADDRESS, LOGIN_LOCAL_PART, LOGIN_NONE)


@dataclass(frozen=True)
class DavUrl:
    """One DAV endpoint (CalDAV or CardDAV), an https URL with a path."""

    url: str

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def port(self) -> int:
        return urlsplit(self.url).port or 443

    @property
    def path(self) -> str:
        return urlsplit(self.url).path


@dataclass(frozen=True)
class Dav:
    """Where a mail domain's calendars and contacts live: another Cloudron app."""

    caldav: DavUrl
    carddav: DavUrl
    login: str  # one of LOGIN_MODES
    display_name: str | None = None

    def username(self, address: str) -> str | None:
        """The login to publish for `address`; None lets the device ask."""
        if self.login == LOGIN_ADDRESS:
            return address
        if self.login == LOGIN_LOCAL_PART:
            return address.rsplit("@", 1)[0]
        return None


@dataclass(frozen=True)
class MailDomain:
    name: str  # ASCII (punycode), lower-case
    display_name: str
    dav: Dav | None = None  # None: no calendars and contacts are published

    @property
    def unicode_name(self) -> str:
        return unicode_domain(self.name)


@dataclass(frozen=True)
class Settings:
    domains: tuple[MailDomain, ...]
    services: tuple[Service, ...]  # all known services, in preference order
    mail_host: str
    app_domain: str
    alias_domains: tuple[str, ...]
    app_origin: str
    documentation_url: str | None = None
    webmail_url: str | None = None
    demo: bool = False
    config_file: str = ""
    # Where the app keeps what must outlive a restart (the PACC digests served).
    data_dir: str = ""
    config_error: str | None = None
    # What is wrong with the Cloudron environment, one line each (logged and shown).
    environment_problems: tuple[str, ...] = ()
    tls_cert_file: str = ""
    tls_key_file: str = ""
    # The domains the setup page lists on a host that is not a mail domain.
    setup_page_domains: tuple[MailDomain, ...] = ()
    dns_server: str | None = None
    admin_open_because: str | None = None  # why /admin may open; None = closed
    # Cloudron's login stands in front of /admin only for requests through its proxy.
    admin_behind_proxy: bool = False
    proxy_ip: str | None = None  # CLOUDRON_PROXY_IP; None: a proxy on this machine
    # The roots a device trusts, to tell whether it would verify a signed profile.
    trust_store_file: str = ""
    provenance: tuple[Provenance, ...] = field(default=(), compare=False)
    _by_name: Mapping[str, MailDomain] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {d.name: d for d in self.domains})

    def domain(self, name: str | None) -> MailDomain | None:
        """The configured mail domain called `name` (ASCII), if any."""
        return self._by_name.get(name) if name else None

    @property
    def incoming(self) -> tuple[Service, ...]:
        return tuple(s for s in self.services if s.enabled and s.incoming)

    @property
    def outgoing(self) -> tuple[Service, ...]:
        return tuple(s for s in self.services if s.enabled and not s.incoming)

    @property
    def locations(self) -> tuple[str, ...]:
        """Every hostname this app answers on in Cloudron."""
        return (self.app_domain, *self.alias_domains)

    def service(self, name: str) -> Service:
        return next(s for s in self.services if s.name == name)
