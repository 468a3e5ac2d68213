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
