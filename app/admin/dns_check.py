"""Live DNS checks: is every record of app/admin/records.py published as expected?

Lookups use dnspython with a short timeout and all run at once, and every
answer (errors too) is cached briefly, so the admin page stays fast even
when a resolver hangs, and a reload does not hit the resolver again.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import dns.asyncresolver
import dns.exception
import dns.rdatatype
import dns.resolver

from ..settings_loader import DNS_SERVER_VARIABLE
from .levels import Level
from .records import CNAME, MX, TXT, Record, target_of

TIMEOUT = 2.0
# Short: an admin who just fixed a record reloads and should see it soon.
CACHE_SECONDS = 20
CACHE_ENTRIES = 1024

OK, MISSING, WRONG, ERROR = "ok", "missing", "wrong", "error"
ADDRESS_TYPES = ("A", "AAAA")

Query = tuple[str, str]  # (name, record type)


@dataclass(frozen=True)
class Lookup:
    records: tuple[tuple[str, str], ...] = ()  # (type, data), CNAME chain included
    error: str | None = None

    def data(self, *types: str) -> tuple[str, ...]:
        return tuple(data for kind, data in self.records if kind in types)


@dataclass(frozen=True)
class Check:
    name: str
    type: str
    status: str  # OK, MISSING, WRONG or ERROR
    found: tuple[str, ...]
    expected: tuple[str, ...]
    level: Level
    consequence: str

    @property
    def ok(self) -> bool:
        return self.status == OK


class Resolver:
    """Asks `server` ("ip" or "ip:port"), or /etc/resolv.conf's nameservers when None."""

    def __init__(self, server: str | None = None, timeout: float = TIMEOUT) -> None:
        self.server = server
        self.timeout = timeout
        self._cache: dict[Query, tuple[float, Lookup]] = {}
        self._lock = threading.Lock()
        self._resolver: dns.asyncresolver.Resolver | None = None
        self._setup_error: str | None = None
        try:
            self._resolver = _make_resolver(server, timeout)
        except (ValueError, dns.exception.DNSException):
            # Shown on every DNS row instead of failing the app's start.
            self._setup_error = (
                f"{DNS_SERVER_VARIABLE} must be ip or ip:port"
                if server
                else "no nameserver configured (/etc/resolv.conf)"
            )

    def lookup_all(self, queries: Iterable[Query]) -> dict[Query, Lookup]:
        """Every query at once (asyncio, no thread per query), so a page
        with many domains takes one timeout at worst, and then none while
        the answers (errors included) are cached."""
        now = time.monotonic()
        queries = list(queries)
        results: dict[Query, Lookup] = {}
        with self._lock:
            for query in queries:
                hit = self._cache.get(query)
                if hit and hit[0] > now:
                    results[query] = hit[1]
        todo = [query for query in dict.fromkeys(queries) if query not in results]
        if todo:
            # A thread of its own: the caller may already run an event loop.
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="dns-check") as thread:
                fresh = thread.submit(asyncio.run, self._query_all(todo)).result()
            results.update(fresh)
            with self._lock:
                if len(self._cache) + len(fresh) > CACHE_ENTRIES:
                    self._cache.clear()
                self._cache.update((query, (now + CACHE_SECONDS, result)) for query, result in fresh.items())
        return results

    async def _query_all(self, todo: list[Query]) -> dict[Query, Lookup]:
        found = await asyncio.gather(*(self._query(*query) for query in todo))
        return dict(zip(todo, found, strict=True))

    async def _query(self, name: str, rdtype: str) -> Lookup:
        if self._resolver is None:
            return Lookup(error=self._setup_error)
        try:
            answer = await self._resolver.resolve(name, rdtype, search=False, raise_on_no_answer=False)
        except dns.resolver.NXDOMAIN:
            return Lookup()
        except dns.resolver.LifetimeTimeout:
            return Lookup(error=f"no answer within {self.timeout:g} s")
        except dns.resolver.NoNameservers:
            return Lookup(error="the nameserver failed (SERVFAIL or refused)")
        except dns.exception.DNSException as exc:
            return Lookup(error=type(exc).__name__)
        return Lookup(
            tuple(
                dict.fromkeys(
                    (kind, text if kind == TXT else text.lower())
                    for rrset in answer.response.answer
                    for kind in [dns.rdatatype.to_text(rrset.rdtype)]
                    for text in (rdata.to_text() for rdata in rrset)
                )
            )
        )


def _make_resolver(server: str | None, timeout: float) -> dns.asyncresolver.Resolver:
    resolver = dns.asyncresolver.Resolver(configure=server is None)
    if server:
        host, port = server.rsplit(":", 1) if server.count(":") == 1 else (server, "53")
        resolver.nameservers = [host]
        resolver.port = int(port)
    resolver.timeout = resolver.lifetime = timeout
    return resolver


# --- comparing what is published with what is expected --------------------


def queries(records: Iterable[Record]) -> list[Query]:
    """The lookups that checking `records` needs."""
    wanted: list[Query] = []
    for record in records:
        if record.type == CNAME:
            for name in (record.name, record.target.rstrip(".")):
                wanted += [(name, kind) for kind in ADDRESS_TYPES]
        else:
            wanted.append((record.name, record.type))
    return wanted


def addresses(results: Mapping[Query, Lookup], name: str) -> tuple[str, ...]:
    return tuple(a for kind in ADDRESS_TYPES for a in results[name, kind].data(kind))


def check(records: Iterable[Record], results: Mapping[Query, Lookup]) -> list[Check]:
    """One row per published name and type, in the order of `records`."""
    groups: dict[Query, list[Record]] = {}
    for record in records:
        groups.setdefault((record.name, record.type), []).append(record)
    return [(_check_address if kind == CNAME else _check_other)(group, results) for (_, kind), group in groups.items()]


def _check_address(group: list[Record], results: Mapping[Query, Lookup]) -> Check:
    record = group[0]
    target = record.target.rstrip(".")
    lookups = [results[record.name, kind] for kind in ADDRESS_TYPES]
    found = tuple(dict.fromkeys(f"{kind} {data}" for lookup in lookups for kind, data in lookup.records))
    mine, theirs = set(addresses(results, record.name)), set(addresses(results, target))
    expected = (f"CNAME {record.target}", *(f"or address {a}" for a in sorted(theirs)))
    own_error = next((lookup.error for lookup in lookups if lookup.error), None)
    target_error = next((results[target, kind].error for kind in ADDRESS_TYPES if results[target, kind].error), None)
    if f"CNAME {record.target}" in found or (mine and theirs and mine <= theirs):
        status = OK
    elif own_error:
        status, found = ERROR, (own_error,)
    elif not mine:
        status = MISSING
    elif target_error:
        status, found = ERROR, (*found, f"{target}: {target_error}")
    else:
        status = WRONG
    return Check(record.name, "A/AAAA/CNAME", status, found, expected, record.level, record.consequence)


def _check_other(group: list[Record], results: Mapping[Query, Lookup]) -> Check:
    record = group[0]
    lookup = results[record.name, record.type]
    found = lookup.data(record.type)
    expected = tuple(r.data for r in group)
    if record.type == MX:
        # Any MX naming the mail host delivers; others may be backups.
        good = record.target in {target_of(d) for d in found}
    elif record.type == TXT:
        # Other TXT strings may share the name; the path must be among them.
        good = set(expected) <= set(found)
    else:
        # Priority and weight only rank records; port and target must match.
        good = {_port_target(d) for d in found} == {_port_target(d) for d in expected}
    if lookup.error:
        status, found = ERROR, (lookup.error,)
    elif not found:
        status = MISSING
    else:
        status = OK if good else WRONG
    return Check(record.name, record.type, status, found, expected, record.level, record.consequence)


def _port_target(data: str) -> tuple[str, str]:
    # Target "." means "not offered" whatever the port (RFC 2782).
    fields = data.split()
    if len(fields) != 4 or fields[3] == ".":
        return ("", target_of(data))
    return fields[2], fields[3]
