"""What the setup page shows, as a plain function of the settings and the
request's inputs: no Flask, no template, testable on its own.

The domain comes from the address, else from ?domain= (autoconfig
documentation links use it when the host is another domain's), else from
the host; with none, the page lists the domains served. Links to the page
are given as its query arguments, for the view to build.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .devices import ANDROID, APPLE, DESKTOP
from .lookup import NotAnAddress, NotServedHere, lookup
from .names import normalize_domain, unicode_domain
from .settings import MailDomain, Service, Settings

Query = dict[str, str]

# The app sections in their usual order, and those a platform (app.devices)
# sees first, above the settings table; an unknown one sees none first.
APPS = ("thunderbird", "outlook", "apple", "android", "other")
FIRST = {APPLE: ("apple",), ANDROID: ("android",), DESKTOP: ("thunderbird", "outlook")}


class Problem(Enum):
    NOT_AN_ADDRESS = 400
    NOT_SERVED_HERE = 404


@dataclass(frozen=True)
class Asked:
    """The request's inputs, as the visitor sent them."""

    emailaddress: str = ""  # ?emailaddress=, as typed
    domain: str = ""  # ?domain=
    lang: str = ""  # ?lang=
    host_domain: MailDomain | None = None  # the mail domain the Host names
    language: str = "en"  # the language the page is shown in
    languages: tuple[str, ...] = ("en",)  # every language the page speaks
    platform: str | None = None  # the visitor's device, from its User-Agent


@dataclass(frozen=True)
class SetupPage:
    status: int
    domain: MailDomain | None
    typed: str
    address: str | None
    problem: Problem | None
    problem_domain: str  # the unserved domain, as people write it
    switch: tuple[tuple[str, Query], ...]  # (language, link) for every language
    domains: tuple[tuple[MailDomain, Query], ...]  # the list shown when no domain is known
    hidden: Query  # what the address form carries besides the address
    services: tuple[tuple[Service, bool], ...]  # each with whether it is the preferred one
    apps_first: tuple[str, ...]  # the app sections for the visitor's own device
    apps_after: tuple[str, ...]  # the others, in their usual order
    dav_login: str | None = None  # the DAV login of the address, when both are known


def build(settings: Settings, asked: Asked) -> SetupPage:
    asked_domain = _asked_domain(settings, asked.domain)
    domain = asked_domain or asked.host_domain
    typed = asked.emailaddress.strip()
    address, problem, problem_domain = None, None, ""
    if typed:
        try:
            mailbox = lookup(settings, typed)
        except NotAnAddress:
            problem = Problem.NOT_AN_ADDRESS
        except NotServedHere as refusal:
            problem, problem_domain = Problem.NOT_SERVED_HERE, unicode_domain(refusal.domain_name)
        else:
            address, domain = mailbox.address, mailbox.domain

    def link(lang: str, to: MailDomain | None, address: str | None) -> Query:
        """This page in `lang`, for the same domain and address."""
        query = {"lang": lang}
        if address:
            query["emailaddress"] = address
        elif to and to != asked.host_domain:
            query["domain"] = to.name
        return query

    hidden = {"lang": asked.lang} if asked.lang in asked.languages else {}
    if asked_domain:
        hidden["domain"] = asked_domain.name
    first = FIRST.get(asked.platform, ()) if asked.platform else ()
    return SetupPage(
        status=problem.value if problem else 200,
        domain=domain,
        typed=typed,
        address=address,
        problem=problem,
        problem_domain=problem_domain,
        switch=tuple((code, link(code, domain, address)) for code in asked.languages),
        domains=tuple((d, link(asked.language, d, None)) for d in settings.setup_page_domains),
        hidden=hidden,
        services=_services(settings),
        apps_first=first,
        apps_after=tuple(app for app in APPS if app not in first),
        dav_login=domain.dav.username(address) if domain and domain.dav and address else None,
    )


def _asked_domain(settings: Settings, raw: str) -> MailDomain | None:
    try:
        return settings.domain(normalize_domain(raw))
    except ValueError:
        return None


def _services(settings: Settings) -> tuple[tuple[Service, bool], ...]:
    """Every service offered, each with whether it is the first (preferred)
    of its direction; the others are alternatives."""
    rows: list[tuple[Service, bool]] = []
    for group in (settings.incoming, settings.outgoing):
        rows += [(service, index == 0) for index, service in enumerate(group)]
    return tuple(rows)
