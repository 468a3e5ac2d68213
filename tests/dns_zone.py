"""The test zone, written once, served two ways: by a real dnsmasq
(tests/dns_server.py, for the tests that start processes) and by FakeResolver
(for unit tests, which start no daemon).

The zone matches CLOUDRON_ENV (tests/conftest.py). example.com: right but
for a missing `_imap` and a `_submissions` that should be "." (465 is off
by default). example.org: one wrong address, no SRV at all, a foreign MX.
bücher.example: nothing. Calendars and contacts (tests/dav.py): published
for example.com, missing for example.org.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.admin.dns_check import Lookup, Query

# Where the wrong address record of the test zone points: nothing listens there.
ELSEWHERE = "127.9.9.9"
LOCAL_DOMAINS = ("example.com", "example.org", "xn--bcher-kva.example")


@dataclass(frozen=True)
class ZoneRecord:
    name: str
    type: str  # A, CNAME, SRV, MX or TXT
    data: str  # as dnspython prints it, lower-case


def zone_for(web: str) -> tuple[ZoneRecord, ...]:
    """`web` is where the zone's app locations point."""
    return (
        ZoneRecord("mailconfig.example.com", "A", web),
        ZoneRecord("autoconfig.example.com", "CNAME", "mailconfig.example.com."),
        ZoneRecord("autodiscover.example.com", "A", web),
        ZoneRecord("_autodiscover._tcp.example.com", "SRV", "0 1 443 autodiscover.example.com."),
        ZoneRecord("_imaps._tcp.example.com", "SRV", "0 1 993 my.example.com."),
        ZoneRecord("_pop3s._tcp.example.com", "SRV", "0 0 0 ."),
        ZoneRecord("_pop3._tcp.example.com", "SRV", "0 0 0 ."),
        ZoneRecord("_submissions._tcp.example.com", "SRV", "0 1 465 my.example.com."),
        ZoneRecord("_submission._tcp.example.com", "SRV", "0 1 587 my.example.com."),
        ZoneRecord("example.com", "MX", "10 my.example.com."),
        ZoneRecord("_caldavs._tcp.example.com", "SRV", "0 1 443 cloud.example.com."),
        ZoneRecord("_caldavs._tcp.example.com", "TXT", '"path=/remote.php/dav/"'),
        ZoneRecord("_carddavs._tcp.example.com", "SRV", "0 1 443 cloud.example.com."),
        ZoneRecord("_carddavs._tcp.example.com", "TXT", '"path=/remote.php/dav/"'),
        ZoneRecord("autoconfig.example.org", "A", ELSEWHERE),
        ZoneRecord("autodiscover.example.org", "A", web),
        ZoneRecord("example.org", "MX", "10 mx.elsewhere.test."),
    )


def dnsmasq_options(zone: Iterable[ZoneRecord]) -> list[str]:
    """The same zone as dnsmasq options: it answers only for LOCAL_DOMAINS."""
    options = [f"--local=/{domain}/" for domain in LOCAL_DOMAINS]
    for record in zone:
        fields = record.data.split()
        if record.type == "A":
            options.append(f"--host-record={record.name},{record.data}")
        elif record.type == "CNAME":
            options.append(f"--cname={record.name},{record.data.rstrip('.')}")
        elif record.type == "TXT":
            options.append(f"--txt-record={record.name},{record.data.strip(chr(34))}")
        elif record.type == "MX":
            options.append(f"--mx-host={record.name},{fields[1].rstrip('.')},{fields[0]}")
        elif fields[3] == ".":
            options.append(f"--srv-host={record.name}")  # "not offered"
        else:
            priority, weight, port, target = fields
            options.append(f"--srv-host={record.name},{target.rstrip('.')},{port},{priority},{weight}")
    return options


class FakeResolver:
    """Answers from a zone in memory, as a nameserver would: a CNAME is
    followed for the address types, and a name with nothing is empty."""

    server = "the test zone (in memory)"

    def __init__(self, zone: Iterable[ZoneRecord]) -> None:
        self.zone = tuple(zone)
        self.asked: list[Query] = []

    def lookup_all(self, queries: Iterable[Query]) -> dict[Query, Lookup]:
        queries = list(queries)
        self.asked += queries
        return {query: Lookup(tuple(self._answer(*query))) for query in queries}

    def _answer(self, name: str, rdtype: str) -> list[tuple[str, str]]:
        answer = []
        for record in self.zone:
            if record.name != name:
                continue
            if record.type == rdtype:
                answer.append((record.type, record.data))
            elif record.type == "CNAME" and rdtype in ("A", "AAAA"):
                answer += [(record.type, record.data), *self._answer(record.data.rstrip("."), rdtype)]
        return answer
