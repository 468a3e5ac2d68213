"""The DNS checks' judgement, from answers given in memory: what is ok,
missing, wrong or an error, and what the admin is told was found."""

from app.admin import dns_check
from app.admin.dns_check import Lookup
from app.admin.records import expected_records
from tests.dns_zone import FakeResolver, ZoneRecord, zone_for

WEB = "192.0.2.10"


def rows(settings, zone, domain="example.com"):
    records = expected_records(settings, settings.domain(domain))
    results = FakeResolver(zone).lookup_all(dns_check.queries(records))
    return {(c.name, c.type): c for c in dns_check.check(records, results)}


def test_the_test_zone_gives_every_status_a_page_can_show(settings):
    checks = rows(settings, zone_for(WEB))
    assert checks["autoconfig.example.com", "A/AAAA/CNAME"].status == "ok"
    assert checks["_imaps._tcp.example.com", "SRV"].status == "ok"
    assert checks["_imap._tcp.example.com", "SRV"].status == "missing"
    # 465 is off by default: its SRV should say "not offered" (target ".").
    submissions = checks["_submissions._tcp.example.com", "SRV"]
    assert submissions.status == "wrong"
    assert submissions.found == ("0 1 465 my.example.com.",) and submissions.expected == ("0 0 0 .",)


def test_an_address_record_is_ok_when_it_matches_the_app_and_wrong_elsewhere(settings):
    zone = zone_for(WEB)
    checks = rows(settings, zone, "example.org")
    assert checks["autodiscover.example.org", "A/AAAA/CNAME"].status == "ok"
    wrong = checks["autoconfig.example.org", "A/AAAA/CNAME"]
    assert wrong.status == "wrong" and wrong.found == ("A 127.9.9.9",)
    assert wrong.expected == ("CNAME mailconfig.example.com.", f"or address {WEB}")


def test_srv_priority_and_weight_do_not_matter_but_port_and_target_do(settings):
    zone = (ZoneRecord("_imaps._tcp.example.com", "SRV", "5 7 993 my.example.com."),)
    assert rows(settings, zone)["_imaps._tcp.example.com", "SRV"].status == "ok"
    zone = (ZoneRecord("_imaps._tcp.example.com", "SRV", "0 1 143 my.example.com."),)
    assert rows(settings, zone)["_imaps._tcp.example.com", "SRV"].status == "wrong"


def test_any_mx_naming_the_mail_host_delivers(settings):
    zone = (
        ZoneRecord("example.com", "MX", "20 backup.example.net."),
        ZoneRecord("example.com", "MX", "10 my.example.com."),
    )
    assert rows(settings, zone)["example.com", "MX"].status == "ok"


def test_a_lookup_error_is_shown_instead_of_what_was_found(settings):
    records = expected_records(settings, settings.domain("example.com"))
    results = {query: Lookup(error="no answer within 2 s") for query in dns_check.queries(records)}
    checks = dns_check.check(records, results)
    assert {c.status for c in checks} == {"error"}
    assert {c.found for c in checks} == {("no answer within 2 s",)}


def test_queries_follow_a_cname_to_its_target_for_both_address_types(settings):
    records = expected_records(settings, settings.domain("example.com"))
    asked = set(dns_check.queries(records))
    assert {("autoconfig.example.com", "A"), ("autoconfig.example.com", "AAAA")} <= asked
    assert {("mailconfig.example.com", "A"), ("mailconfig.example.com", "AAAA")} <= asked
