"""DNS checks against real nameservers on loopback: dnsmasq serving a test
zone with correct, missing and wrong records, and a socket that never answers."""

import socket
import time

import pytest

from app.admin import dns_check
from app.admin.dns_check import Resolver
from app.admin.records import expected_records
from support.processes import random_loopback
from tests.dns_zone import ELSEWHERE


def checks(settings, resolver, domain):
    records = expected_records(settings, settings.domain(domain))
    results = resolver.lookup_all(dns_check.queries(records))
    return {(c.name, c.type): c for c in dns_check.check(records, results)}


def statuses(rows):
    return {key: row.status for key, row in rows.items()}


def test_right_records_are_ok_and_wrong_or_missing_ones_say_why(settings, dns_server):
    rows = checks(settings, Resolver(dns_server.address), "example.com")
    problems = {key: status for key, status in statuses(rows).items() if status != "ok"}
    assert problems == {("_imap._tcp.example.com", "SRV"): "missing", ("_submissions._tcp.example.com", "SRV"): "wrong"}
    wrong = rows["_submissions._tcp.example.com", "SRV"]
    assert wrong.found == ("0 1 465 my.example.com.",)
    assert wrong.expected == ("0 0 0 .",)
    # A CNAME to the app's location and a plain A record to its address both pass.
    assert rows["autoconfig.example.com", "A/AAAA/CNAME"].found[0] == "CNAME mailconfig.example.com."
    assert rows["autodiscover.example.com", "A/AAAA/CNAME"].found == (f"A {dns_server.web}",)


def test_services_switched_on_in_the_config_change_what_is_expected(make_settings, config_file, dns_server):
    settings = make_settings(config_file("[services.submissions]\nenabled = true\n"))
    rows = checks(settings, Resolver(dns_server.address), "example.com")
    assert rows["_submissions._tcp.example.com", "SRV"].status == "ok"


def test_an_address_elsewhere_is_wrong_and_absent_records_are_missing(settings, dns_server):
    rows = checks(settings, Resolver(dns_server.address), "example.org")
    autoconfig = rows["autoconfig.example.org", "A/AAAA/CNAME"]
    assert autoconfig.status == "wrong"
    assert autoconfig.found == (f"A {ELSEWHERE}",)
    assert f"or address {dns_server.web}" in autoconfig.expected
    assert rows["autodiscover.example.org", "A/AAAA/CNAME"].status == "ok"
    assert rows["_imaps._tcp.example.org", "SRV"].status == "missing"
    assert rows["example.org", "MX"].status == "wrong"
    assert rows["example.org", "MX"].found == ("10 mx.elsewhere.test.",)
    assert set(statuses(checks(settings, Resolver(dns_server.address), "xn--bcher-kva.example")).values()) == {
        "missing"
    }


@pytest.fixture
def silent_nameserver():
    """A UDP socket that reads queries and never answers, as ip:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((random_loopback(), 0))
        address, port = sock.getsockname()
        yield f"{address}:{port}"


def test_a_hanging_resolver_costs_one_timeout_then_nothing(settings, silent_nameserver):
    resolver = Resolver(silent_nameserver, timeout=0.5)
    records = [r for d in settings.domains for r in expected_records(settings, d)]
    started = time.monotonic()
    results = resolver.lookup_all(dns_check.queries(records))
    first = time.monotonic() - started
    assert first < 1.5, "lookups must run at once, not one after another"
    assert {r.error for r in results.values()} == {"no answer within 0.5 s"}
    assert {c.status for c in dns_check.check(records, results)} == {"error"}
    started = time.monotonic()
    resolver.lookup_all(dns_check.queries(records))
    assert time.monotonic() - started < 0.1, "a reload is answered from the cache"


def test_a_bad_nameserver_setting_is_reported_not_fatal():
    lookups = Resolver("not-an-address").lookup_all([("example.com", "MX")])
    assert lookups["example.com", "MX"].error == "AUTOCONFIG_DNS_SERVER must be ip or ip:port"


def test_dav_records_published_are_ok_and_absent_ones_missing(make_settings, config_file, dns_server):
    from tests.dav import DAV_TOML

    settings = make_settings(config_file(DAV_TOML.replace("dav.example.org:8443", "cloud.example.com")))
    resolver = Resolver(dns_server.address)
    dav = {
        domain: {key: row for key, row in checks(settings, resolver, domain).items() if "dav" in key[0]}
        for domain in ("example.com", "example.org")
    }
    assert statuses(dav["example.com"]) == {
        (f"_{kind}s._tcp.example.com", rtype): "ok" for kind in ("caldav", "carddav") for rtype in ("SRV", "TXT")
    }
    assert dav["example.com"]["_caldavs._tcp.example.com", "TXT"].found == ('"path=/remote.php/dav/"',)
    assert statuses(dav["example.org"]) == {
        (f"_{kind}s._tcp.example.org", rtype): "missing" for kind in ("caldav", "carddav") for rtype in ("SRV", "TXT")
    }
