"""PACC end to end, as a client of draft-ietf-mailmaint-pacc meets it: real
curl -> real nginx (TLS with the test CA) -> real gunicorn (2 workers), and
the TXT record from a real dnsmasq serving what the dashboard printed.

The client below is written from the draft, not from the app: it imports
nothing from app/.
"""

import base64
import hashlib
import hmac
import json

import dns.resolver
import pytest

from support.inputs import CLOUDRON_ENV
from support.processes import free_port
from tests.dns_server import dnsmasq
from tests.dns_zone import ZoneRecord, dnsmasq_options, zone_for

from .proxy import nginx_proxy
from .servers import gunicorn

DOMAINS = ("example.com", "example.org", "bücher.example")  # as a user types them
APP_HOST = "mailconfig.example.com"
WITH_465 = "[services.submissions]\nenabled = true\n"
# Any change of settings changes the document: here, POP3 turned on.
CHANGED = WITH_465 + "[services.pop3]\nenabled = true\n"


# --- a PACC client, from the draft -----------------------------------------


def fetch_document(proxy, domain):
    """Step 1: GET https://ua-auto-config.<domain>/.well-known/user-agent-configuration.json."""
    ascii_domain = domain.encode("idna").decode()
    return proxy.curl(f"https://ua-auto-config.{ascii_domain}/.well-known/user-agent-configuration.json")


def published_digests(nameserver, domain):
    """Step 2: the digests of the TXT records at _ua-auto-config.<domain>."""
    resolver = dns.resolver.Resolver(configure=False)
    host, port = nameserver.split(":")
    resolver.nameservers, resolver.port, resolver.lifetime = [host], int(port), 3
    try:
        answer = resolver.resolve(f"_ua-auto-config.{domain.encode('idna').decode()}", "TXT")
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    digests = []
    for rdata in answer:
        # A tag list: order, spaces and unknown tags do not matter.
        tags = dict(
            (key.strip(), value.strip())
            for key, _, value in (part.partition("=") for part in b"".join(rdata.strings).decode().split(";"))
        )
        if tags.get("v") == "UAAC1" and tags.get("a") == "sha256" and tags.get("d"):
            digests.append(tags["d"])
    return digests


def pacc_client(proxy, nameserver, domain):
    """Step 3: the document, only if a TXT record holds the SHA-256 of its bytes; else None."""
    response = fetch_document(proxy, domain)
    if response.status != 200 or response.headers["content-type"].split(";")[0] != "application/json":
        return None
    received = base64.b64encode(hashlib.sha256(response.body).digest())
    if any(hmac.compare_digest(received, d.encode()) for d in published_digests(nameserver, domain)):
        return json.loads(response.body)
    return None


# --- the server side ------------------------------------------------------


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """nginx in front of a port where gunicorn is (re)started with given settings."""
    folder = tmp_path_factory.mktemp("pacc")
    port = free_port()
    names = [APP_HOST] + [f"ua-auto-config.{d.encode('idna').decode()}" for d in DOMAINS]
    with nginx_proxy(f"127.0.0.1:{port}", names, folder / "nginx") as proxy:
        yield proxy, port, folder


def app_env(folder, config, nameserver):
    (folder / "config.toml").write_text(config)
    return {
        **CLOUDRON_ENV,
        "AUTOCONFIG_CONFIG_FILE": str(folder / "config.toml"),
        "AUTOCONFIG_DATA_DIR": str(folder),
        "AUTOCONFIG_DNS_SERVER": nameserver,
    }


def dashboard(proxy):
    """The admin report, through the proxy (CLOUDRON=1: Cloudron's login guards it)."""
    response = proxy.curl(f"https://{APP_HOST}/admin/report.json")
    assert response.status == 200
    return {d["unicode_name"]: d for d in json.loads(response.body)["domains"]}


def txt_row(domain_report):
    return next(c for c in domain_report["dns"] if c["type"] == "TXT")


def bodies(proxy, domain, times):
    """Every distinct body over `times` fetches, each a new connection."""
    return {fetch_document(proxy, domain).body for _ in range(times)}


def test_a_pacc_client_accepts_every_domain_and_a_change_needs_the_new_record(deployment, dns_server):
    proxy, port, folder = deployment
    env = app_env(folder, WITH_465, dns_server.address)

    # The dashboard prints the record to publish; DNS does not hold it yet.
    with gunicorn(env, port=port):
        printed = dashboard(proxy)
        before = {d: bodies(proxy, d, 12) for d in DOMAINS}
    for domain in DOMAINS:
        assert txt_row(printed[domain])["status"] == "missing"
        assert len(before[domain]) == 1, "both workers serve the same bytes"
    records = [ZoneRecord(txt_row(printed[d])["name"], "TXT", txt_row(printed[d])["expected"][0]) for d in DOMAINS]

    with dnsmasq(dnsmasq_options((*zone_for(dns_server.web), *records))) as nameserver:
        env = app_env(folder, WITH_465, nameserver)
        with gunicorn(env, port=port):
            for domain in DOMAINS:
                assert fetch_document(proxy, domain).body in before[domain], "a restart serves the same bytes"
                document = pacc_client(proxy, nameserver, domain)
                assert document is not None, domain
                assert document["protocols"]["submit"] == {"host": "my.example.com"}
            now = dashboard(proxy)
            assert {txt_row(now[d])["status"] for d in DOMAINS} == {"ok"}

        # A change of settings and a restart: the old record no longer vouches.
        with gunicorn(app_env(folder, CHANGED, nameserver), port=port):
            changed = dashboard(proxy)
            for domain in DOMAINS:
                assert pacc_client(proxy, nameserver, domain) is None
                assert fetch_document(proxy, domain).status == 200
                old = txt_row(printed[domain])["expected"][0]
                row, report = txt_row(changed[domain]), changed[domain]
                assert row["status"] == "stale"
                assert row["expected"][1] == old and row["expected"][0] != old
                assert report["pacc_previous_digest"] == old.rsplit("d=", 1)[1]
                assert row["expected"][0].endswith(report["pacc_digest"])


def test_with_587_only_the_endpoint_and_dashboard_say_why(deployment, dns_server):
    proxy, port, folder = deployment
    with gunicorn(app_env(folder, "", dns_server.address), port=port):
        response = fetch_document(proxy, "example.com")
        assert response.status == 404
        assert response.text.startswith("PACC is off here:") and "port 465" in response.text
        report = json.loads(proxy.curl(f"https://{APP_HOST}/admin/report.json").body)
        assert "port 465" in report["pacc_off_because"]
