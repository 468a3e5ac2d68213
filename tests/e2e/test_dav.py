"""Calendars and contacts against a real DAV server: Radicale behind TLS
with the test CA, found the ways clients find it (the Apple profile's URL and
login, RFC 6764 DNS from a real dnsmasq), and checked by the dashboard."""

import plistlib
import re

import pytest
import requests
import urllib3

from app.formats import mobileconfig
from support.inputs import CLOUDRON_ENV
from tests.dns_server import dnsmasq
from tests.dns_zone import LOCAL_DOMAINS, ZoneRecord, dnsmasq_options
from tests.e2e.radicale import HOST, PASSWORD, USER, radicale
from tests.e2e.servers import gunicorn
from tests.pki import make_ca

ADDRESS = f"{USER}@example.com"
CURRENT_USER_PRINCIPAL = b'<propfind xmlns="DAV:"><prop><current-user-principal/></prop></propfind>'
CALENDAR_HOME_SET = (
    b'<propfind xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><prop><C:calendar-home-set/></prop></propfind>'
)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Radicale, a zone that publishes it for example.com only, and a config naming it."""
    folder = tmp_path_factory.mktemp("dav")
    ca = make_ca(folder / "pki")
    with radicale(folder / "radicale", ca) as dav:
        zone = [
            ZoneRecord(HOST, "A", dav.address),
            *(
                ZoneRecord(f"_{kind}s._tcp.example.com", "SRV", f"0 1 {dav.port} {HOST}.")
                for kind in ("caldav", "carddav")
            ),
            *(ZoneRecord(f"_{kind}s._tcp.example.com", "TXT", '"path=/"') for kind in ("caldav", "carddav")),
        ]
        assert "example.com" in LOCAL_DOMAINS
        with dnsmasq(dnsmasq_options(zone)) as nameserver:
            config = folder / "config.toml"
            config.write_text(f'[dav]\ncaldav_url = "{dav.url}"\ncarddav_url = "{dav.url}"\nlogin = "localpart"\n')
            yield dav, ca, nameserver, str(config)


def propfind(dav, ca, path, body, login):
    """What a client does, at the DAV server's address, verifying its certificate."""
    pool = urllib3.HTTPSConnectionPool(
        dav.address, dav.port, server_hostname=HOST, assert_hostname=HOST, ca_certs=str(ca.root)
    )
    headers = {"Host": f"{HOST}:{dav.port}", "Depth": "0", **urllib3.make_headers(basic_auth=f"{login}:{PASSWORD}")}
    response = pool.urlopen("PROPFIND", path, body=b'<?xml version="1.0"?>' + body, headers=headers)
    assert response.status == 207, response.data
    return re.findall(rb"<href>([^<]*)</href>", response.data)


def test_the_published_url_and_login_lead_to_the_users_principal_and_calendar_home(world, make_settings):
    dav, ca, _, config = world
    settings = make_settings(config)
    profile = plistlib.loads(mobileconfig.profile(settings, settings.domain("example.com"), ADDRESS))
    caldav = profile["PayloadContent"][1]
    assert (caldav["CalDAVHostName"], caldav["CalDAVPort"], caldav["CalDAVUseSSL"]) == (HOST, dav.port, True)
    url, login = caldav["CalDAVPrincipalURL"], caldav["CalDAVUsername"]
    assert login == USER
    path = url.split(str(dav.port), 1)[1]

    principal = propfind(dav, ca, path, CURRENT_USER_PRINCIPAL, login)[-1]
    assert principal == f"/{USER}/".encode()
    home = propfind(dav, ca, principal.decode(), CALENDAR_HOME_SET, login)[-1]
    assert home == f"/{USER}/".encode()


def test_the_whole_address_as_login_is_refused_by_this_dav_app(world):
    dav, ca, _, _ = world
    pool = urllib3.HTTPSConnectionPool(dav.address, dav.port, server_hostname=HOST, ca_certs=str(ca.root))
    headers = {"Host": f"{HOST}:{dav.port}", "Depth": "0", **urllib3.make_headers(basic_auth=f"{ADDRESS}:{PASSWORD}")}
    assert pool.urlopen("PROPFIND", "/", body=CURRENT_USER_PRINCIPAL, headers=headers).status == 401


def test_the_dashboard_finds_the_dav_server_reachable_and_its_dns_ok_or_missing(world):
    dav, ca, nameserver, config = world
    env = {
        **CLOUDRON_ENV,
        "AUTOCONFIG_DNS_SERVER": nameserver,
        "AUTOCONFIG_CONFIG_FILE": config,
        "SSL_CERT_FILE": str(ca.root),
    }
    with gunicorn(env) as (base, _, _):
        report = requests.get(base + "/admin/report.json", timeout=30).json()
    domains = {d["name"]: d for d in report["domains"]}
    com, org = domains["example.com"], domains["example.org"]
    checks = {(c["what"], c["status"], c["ok"]) for c in com["dav"]["checks"]}
    assert checks == {
        ("CalDAV URL and CardDAV URL", 401, True),
        ("/.well-known/caldav", 301, True),
        ("/.well-known/carddav", 301, True),
    }
    assert com["dav"]["example_login"] == USER

    def dav_rows(domain):
        return {(row["name"], row["type"]): row["status"] for row in domain["dns"] if "dav" in row["name"]}

    assert set(dav_rows(com).values()) == {"ok"} and len(dav_rows(com)) == 4
    assert set(dav_rows(org).values()) == {"missing"} and len(dav_rows(org)) == 4
