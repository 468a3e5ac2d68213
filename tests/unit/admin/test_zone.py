"""The zone snippet: valid BIND syntax (read back by dnspython's zone parser),
holding exactly the records the DNS checks expect."""

import re

import dns.zone

from app.admin.records import expected_records
from app.admin.zone import snippet


def parse(text):
    return dns.zone.from_text(text, origin=".", relativize=False, check_origin=False)


def published(zone):
    return {
        (name.to_text().rstrip("."), rdataset.rdtype.name, rdata.to_text())
        for name, node in zone.nodes.items()
        for rdataset in node
        for rdata in rdataset
    }


def test_snippet_parses_as_a_zone_and_matches_the_expected_records(settings):
    for domain in settings.domains:
        zone = parse(snippet(settings, domain))
        assert published(zone) == {(r.name, r.type, r.data) for r in expected_records(settings, domain)}


def test_pop3_off_is_published_as_not_offered(settings):
    zone = parse(snippet(settings, settings.domain("example.org")))
    assert zone.find_rdataset("_pop3s._tcp.example.org.", "SRV")[0].to_text() == "0 0 0 ."


def test_snippet_follows_a_changed_mail_host(make_settings):
    settings = make_settings(CLOUDRON_EMAIL_SERVER_HOST="mx.example.net")
    zone = parse(snippet(settings, settings.domain("example.com")))
    assert zone.find_rdataset("_imaps._tcp.example.com.", "SRV")[0].to_text() == "0 1 993 mx.example.net."
    assert zone.find_rdataset("example.com.", "MX")[0].to_text() == "10 mx.example.net."


def test_snippet_puts_required_lines_first_and_marks_what_cloudron_creates(settings):
    lines = snippet(settings, settings.domain("example.com")).splitlines()
    headings = [line.split(":")[0] for line in lines if re.match(r"; [A-Z]+:", line)]
    assert headings == ["; REQUIRED", "; RECOMMENDED", "; OPTIONAL", "; INFORMATIONAL"]
    owners = [line.split()[0] for line in lines if line and not line.startswith(";")]
    assert owners[:2] == ["autoconfig.example.com.", "autodiscover.example.com."]
    made_by_cloudron = [line.split()[0] for line in lines if "MADE BY CLOUDRON" in line]
    assert made_by_cloudron == owners[:2]
    # The "not offered" courtesy records come after every record that helps a client.
    assert owners.index("_imap._tcp.example.com.") > owners.index("_submission._tcp.example.com.")


def test_with_dav_the_snippet_holds_four_more_records_per_domain(make_settings, config_file, settings):
    from tests.dav import DAV_TOML

    dav_settings = make_settings(config_file(DAV_TOML))
    for domain in dav_settings.domains:
        with_dav = published(parse(snippet(dav_settings, domain)))
        without = published(parse(snippet(settings, settings.domain(domain.name))))
        added = with_dav - without
        assert with_dav > without and len(added) == 4
        assert {(name.split(".")[0], kind) for name, kind, _ in added} == {
            ("_caldavs", "SRV"),
            ("_caldavs", "TXT"),
            ("_carddavs", "SRV"),
            ("_carddavs", "TXT"),
        }
    org = published(parse(snippet(dav_settings, dav_settings.domain("example.org"))))
    assert ("_caldavs._tcp.example.org", "SRV", "0 1 8443 dav.example.org.") in org
    assert ("_carddavs._tcp.example.org", "TXT", '"path=/"') in org
