"""Is the DAV app there? Ask it over HTTPS the way Thunderbird and DAVx⁵ do:
a PROPFIND to the published URL, and to /.well-known/caldav and
/.well-known/carddav on its host, which must lead on to a DAV endpoint.

No login is sent: the published URL answering 401 is a DAV app asking for
one, which is all the dashboard can know without a user's password.
"""

from __future__ import annotations

import functools
import ssl
from dataclasses import dataclass, replace

from ..settings import Dav, DavUrl
from . import self_test
from .levels import Level

# What a well-known URL must answer (RFC 6764 section 5): a redirect to the
# DAV endpoint, or the endpoint itself (207 Multi-Status).
REDIRECTS = (301, 302, 303, 307, 308)
MULTI_STATUS = 207
UNAUTHORIZED = 401
# Calendars help, but mail setup never depends on them: warned about, not counted as a problem.
LEVEL = Level.RECOMMENDED
PROPFIND_BODY = b'<?xml version="1.0"?><propfind xmlns="DAV:"><prop><current-user-principal/></prop></propfind>'


@dataclass(frozen=True)
class DavProbe:
    what: str  # e.g. "CalDAV URL" or "/.well-known/caldav"
    host: str
    port: int
    path: str
    well_known: bool

    @property
    def url(self) -> str:
        port = "" if self.port == 443 else f":{self.port}"
        return f"https://{self.host}{port}{self.path}"


@dataclass(frozen=True)
class DavResult:
    what: str
    url: str
    address: str | None
    status: int | None
    ok: bool
    detail: str
    level: Level = LEVEL


def probes(dav: Dav) -> list[DavProbe]:
    """The published URLs and each host's well-known URLs, each asked once."""
    found: dict[str, DavProbe] = {}
    for kind, endpoint in (("CalDAV", dav.caldav), ("CardDAV", dav.carddav)):
        for probe in (
            DavProbe(f"{kind} URL", *_at(endpoint), endpoint.path, False),
            DavProbe(f"/.well-known/{kind.lower()}", *_at(endpoint), f"/.well-known/{kind.lower()}", True),
        ):
            if probe.url in found:  # one URL for both: say so
                probe = replace(probe, what=f"{found[probe.url].what} and {probe.what}")
            found[probe.url] = probe
    return list(found.values())


def _at(endpoint: DavUrl) -> tuple[str, int]:
    return endpoint.host, endpoint.port


def run(work: list[tuple[DavProbe, tuple[str, ...]]]) -> list[DavResult]:
    context = self_test.tls_context()
    return self_test.in_parallel(
        [functools.partial(fetch, probe, addresses, context) for probe, addresses in work],
        [functools.partial(DavResult, probe.what, probe.url, None, None, False, "timed out") for probe, _ in work],
    )


def fetch(probe: DavProbe, addresses: tuple[str, ...], context: ssl.SSLContext) -> DavResult:
    headers = {"Depth": "0", "Content-Type": "application/xml; charset=utf-8"}
    try:
        answer = self_test.exchange(
            "PROPFIND", probe.host, probe.port, probe.path, addresses, context, headers, PROPFIND_BODY
        )
    except self_test.Unanswered as exc:
        return DavResult(probe.what, probe.url, exc.address, None, False, f"does not answer over HTTPS: {exc.reason}")
    return judge(probe, answer.address, answer.status, answer.headers.get("Location"))


def judge(probe: DavProbe, address: str, status: int, location: str | None) -> DavResult:
    if probe.well_known:
        if status in REDIRECTS and location:
            ok, detail = True, f"redirects to {location}"
        elif status == MULTI_STATUS:
            ok, detail = True, "is a DAV endpoint itself (207 Multi-Status)"
        else:
            ok, detail = (
                False,
                f"HTTP {status}, not a redirect to the DAV endpoint: clients that miss the TXT record cannot find it",
            )
    elif status in (MULTI_STATUS, UNAUTHORIZED):
        ok, detail = True, "a DAV endpoint" + (" (asks for a login)" if status == UNAUTHORIZED else "")
    elif status in REDIRECTS:
        ok, detail = False, f"redirects to {location}: publish that URL instead"
    else:
        ok, detail = False, f"HTTP {status} to PROPFIND: not a DAV endpoint; check the URL"
    return DavResult(probe.what, probe.url, address, status, ok, detail)
