"""Self-test: fetch this app's public endpoints for a domain over HTTPS, the
way a mail client would, and say whether the answer is what clients need.

Names are resolved through the same resolver as the DNS checks (so the page
never contradicts itself), the certificate is verified for the name asked,
against the system's trust store (OpenSSL's SSL_CERT_FILE overrides it).
"""

from __future__ import annotations

import functools
import json
import ssl
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import TypeVar
from xml.etree.ElementTree import Element

import urllib3

from ..formats import UnreadableXml, autodiscover, pacc, parse_xml
from ..settings import MailDomain, Settings
from .levels import Level
from .records import ALIAS_CONSEQUENCES, PACC_CONSEQUENCE

USER_AGENT = "MailAutoconfig-SelfTest/1"
TIMEOUT = 3.0
THREADS = 64
MAX_BODY = 64 * 1024
# The Autodiscover request needs an address; this one is made up, and the
# answer never depends on whether a mailbox exists.
PROBE_LOCAL_PART = "self-test"

T = TypeVar("T")


@dataclass(frozen=True)
class Probe:
    """One endpoint to fetch and how to judge the answer."""

    method: str
    host: str
    path: str
    content_types: tuple[str, ...]
    servers: Callable[[bytes], set[tuple[str, int]] | str]  # what the document names
    expected: set[tuple[str, int]] | str
    level: Level
    consequence: str  # one line: what breaks when this answer is wrong
    body: bytes | None = None
    # PACC: the digests DNS vouches for; a client rejects a body with another.
    trusted_digests: frozenset[str] | None = None

    @property
    def url(self) -> str:
        return f"https://{self.host}{self.path}"


@dataclass(frozen=True)
class Result:
    method: str
    url: str
    address: str | None
    status: int | None
    content_type: str | None
    parses: bool | None
    right_server: bool | None
    ok: bool
    detail: str
    milliseconds: int | None
    level: Level
    consequence: str


def probes(settings: Settings, domain: MailDomain, pacc_trusted: frozenset[str] = frozenset()) -> list[Probe]:
    """`pacc_trusted`: the digests of the PACC TXT records found in DNS."""
    d = domain.name
    servers = {(s.host, s.port) for s in settings.services if s.enabled}
    address = f"{PROBE_LOCAL_PART}@{d}"
    found = [
        Probe(
            "GET",
            f"autoconfig.{d}",
            "/mail/config-v1.1.xml",
            ("application/xml", "text/xml"),
            _autoconfig_servers,
            servers,
            Level.REQUIRED,
            ALIAS_CONSEQUENCES["autoconfig."],
        ),
        Probe(
            "POST",
            f"autodiscover.{d}",
            "/autodiscover/autodiscover.xml",
            ("text/xml",),
            _autodiscover_servers,
            servers,
            Level.REQUIRED,
            ALIAS_CONSEQUENCES["autodiscover."],
            _autodiscover_request(address),
        ),
        Probe(
            "GET",
            f"autodiscover.{d}",
            f"/autodiscover/autodiscover.json/v1.0/{address}?Protocol=AutodiscoverV1",
            ("application/json",),
            _json_url,
            autodiscover.v1_url(domain, settings.locations, f"autodiscover.{d}"),
            Level.REQUIRED,
            "without it Outlook 2016+, Microsoft 365 and the new Outlook find no settings",
        ),
    ]
    document = pacc.document(settings, domain)
    if document is not None:
        # The same bytes, not merely the same servers: the digest vouches for bytes.
        found.append(
            Probe(
                "GET",
                f"{pacc.HOST_PREFIX}{d}",
                pacc.PATH,
                (pacc.CONTENT_TYPE,),
                _pacc_digest,
                pacc.digest(document),
                Level.RECOMMENDED,
                PACC_CONSEQUENCE,
                trusted_digests=pacc_trusted,
            )
        )
    return found


def run(work: Iterable[tuple[Probe, tuple[str, ...]]]) -> list[Result]:
    """Fetch every probe at once from the first address its host resolved
    to; the whole run takes at most about TIMEOUT."""
    work = list(work)
    context = tls_context()
    return in_parallel(
        [functools.partial(fetch, probe, addresses, context) for probe, addresses in work],
        [functools.partial(_failed, probe, None, "timed out") for probe, _ in work],
    )


def in_parallel(calls: Sequence[Callable[[], T]], timed_out: Sequence[Callable[[], T]]) -> list[T]:
    """Every call at once, each answer in order; a call still running after
    about two TIMEOUTs gives its timed_out answer instead."""
    if not calls:
        return []
    pool = ThreadPoolExecutor(max_workers=min(THREADS, len(calls)), thread_name_prefix="self-test")
    futures = [pool.submit(call) for call in calls]
    done, _ = wait(futures, timeout=2 * TIMEOUT + 1)
    pool.shutdown(wait=False, cancel_futures=True)
    return [future.result() if future in done else late() for future, late in zip(futures, timed_out, strict=True)]


@functools.cache
def tls_context() -> ssl.SSLContext:
    """Loading the trust store takes tens of milliseconds: once per process."""
    return ssl.create_default_context()


def fetch(probe: Probe, addresses: tuple[str, ...], context: ssl.SSLContext, port: int = 443) -> Result:
    headers = {"Content-Type": "text/xml"} if probe.body is not None else {}
    try:
        answer = exchange(probe.method, probe.host, port, probe.path, addresses, context, headers, probe.body)
    except Unanswered as exc:
        return _failed(probe, exc.address, exc.reason)
    content_type = answer.headers.get("Content-Type", "")
    return judge(probe, answer.address, answer.status, content_type, answer.body, answer.milliseconds)


@dataclass(frozen=True)
class Answer:
    address: str  # the IP address asked
    status: int
    headers: Mapping[str, str]
    body: bytes  # at most MAX_BODY
    milliseconds: int


class Unanswered(Exception):
    """No HTTP answer: the name does not resolve, or TLS or the connection failed."""

    def __init__(self, address: str | None, reason: str) -> None:
        super().__init__(reason)
        self.address, self.reason = address, reason


def exchange(
    method: str,
    host: str,
    port: int,
    path: str,
    addresses: tuple[str, ...],
    context: ssl.SSLContext,
    headers: Mapping[str, str],
    body: bytes | None = None,
) -> Answer:
    """One HTTPS request to `host` at the first of its `addresses`, the
    certificate verified for `host`; redirects are not followed."""
    if not addresses:
        raise Unanswered(None, f"{host} does not resolve (see DNS)")
    address = sorted(addresses, key=lambda a: ":" in a)[0]  # IPv4 first
    started = time.monotonic()
    pool = urllib3.HTTPSConnectionPool(
        address,
        port,
        server_hostname=host,
        assert_hostname=host,
        ssl_context=context,
        timeout=urllib3.Timeout(connect=TIMEOUT, read=TIMEOUT),
        retries=False,
        maxsize=1,
    )
    host_header = host if port == 443 else f"{host}:{port}"
    try:
        response = pool.urlopen(
            method,
            path,
            body=body,
            headers={"Host": host_header, "User-Agent": USER_AGENT, **headers},
            redirect=False,
            preload_content=False,
        )
        content = response.read(MAX_BODY)
        response.release_conn()
    except urllib3.exceptions.HTTPError as exc:
        raise Unanswered(address, _reason(exc)) from None
    finally:
        pool.close()
    milliseconds = round((time.monotonic() - started) * 1000)
    return Answer(address, response.status, dict(response.headers), content, milliseconds)


def judge(probe: Probe, address: str, status: int, content_type: str, body: bytes, milliseconds: int) -> Result:
    """Is this answer what clients need: 200, the right content type, a
    document that parses and names the servers the settings say?"""
    problems = [] if status == 200 else [f"HTTP {status}"]
    if content_type.split(";")[0].strip().lower() not in probe.content_types:
        problems.append(f"content type {content_type or 'missing'}, expected {' or '.join(probe.content_types)}")
    parses = right = None
    if status == 200:
        found = probe.servers(body)
        parses = found != NOT_PARSED
        right = parses and found == probe.expected
        if not parses:
            problems.append("the document does not parse")
        elif not right:
            problems.append(f"names {_describe(found)}, expected {_describe(probe.expected)}")
        if probe.trusted_digests is not None and pacc.digest(body) not in probe.trusted_digests:
            problems.append(f"no TXT record at _{probe.host} vouches for its digest: PACC clients reject it")
    return Result(
        probe.method,
        probe.url,
        address,
        status,
        content_type,
        parses,
        right,
        not problems,
        "; ".join(problems) or "as clients need it",
        milliseconds,
        probe.level,
        probe.consequence,
    )


def _failed(probe: Probe, address: str | None, reason: str) -> Result:
    return Result(
        probe.method, probe.url, address, None, None, None, None, False, reason, None, probe.level, probe.consequence
    )


def _reason(exc: Exception) -> str:
    """A short, fixed-shape reason; certificate problems said plainly."""
    if isinstance(exc, urllib3.exceptions.SSLError):
        cause = exc.args[0] if exc.args else exc
        return f"TLS failed: {getattr(cause, 'verify_message', None) or cause}"[:200]
    # NewConnectionError is a kind of ConnectTimeoutError in urllib3: test it first.
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        return "connection refused or unreachable"
    if isinstance(exc, urllib3.exceptions.TimeoutError):
        return f"no answer within {TIMEOUT:g} s"
    return type(exc).__name__


def _describe(found: set[tuple[str, int]] | str) -> str:
    if isinstance(found, str):
        return found
    return ", ".join(f"{host}:{port}" for host, port in sorted(found)) or "no server"


# --- reading the documents -------------------------------------------------

NOT_PARSED = "not parsed"
MAIL_PROTOCOLS = ("IMAP", "POP3", "SMTP")


def _xml(body: bytes) -> Element | None:
    try:
        return parse_xml(body)
    except UnreadableXml:
        return None


def _autoconfig_servers(body: bytes) -> set[tuple[str, int]] | str:
    root = _xml(body)
    if root is None or root.find("emailProvider") is None:
        return NOT_PARSED
    return {
        (s.findtext("hostname", ""), _int(s.findtext("port")))
        for s in root.iter()
        if s.tag in ("incomingServer", "outgoingServer")
    }


def _autodiscover_servers(body: bytes) -> set[tuple[str, int]] | str:
    root = _xml(body)
    if root is None:
        return NOT_PARSED
    accounts = [el for el in root.iter() if autodiscover.local_name(el.tag) == "Account"]
    if not accounts:
        return NOT_PARSED
    protocols = [
        {autodiscover.local_name(field.tag): field.text or "" for field in protocol}
        for protocol in accounts[0]
        if autodiscover.local_name(protocol.tag) == "Protocol"
    ]
    # CalDAV and CardDAV entries name URLs, not mail servers.
    return {(p.get("Server", ""), _int(p.get("Port"))) for p in protocols if p.get("Type") in MAIL_PROTOCOLS}


def _json_url(body: bytes) -> str:
    try:
        url = json.loads(body).get("Url")
    except (ValueError, AttributeError):
        return NOT_PARSED
    return url if isinstance(url, str) else NOT_PARSED


def _pacc_digest(body: bytes) -> str:
    """The digest of a body that is a PACC document (a JSON object with protocols)."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return NOT_PARSED
    return pacc.digest(body) if isinstance(parsed, dict) and "protocols" in parsed else NOT_PARSED


def _int(text: str | None) -> int:
    # Not str.isdigit: it is true for "²", which int() refuses.
    return int(text) if text and text.isascii() and text.isdigit() else 0


def _autodiscover_request(address: str) -> bytes:
    return (
        f'<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/'
        f'requestschema/2006"><Request><EMailAddress>{address}</EMailAddress>'
        f"<AcceptableResponseSchema>{autodiscover.OUTLOOK_SCHEMA}</AcceptableResponseSchema>"
        f"</Request></Autodiscover>"
    ).encode()
