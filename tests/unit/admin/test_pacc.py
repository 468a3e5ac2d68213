"""PACC on the dashboard: the digest kept across restarts, the alias, the TXT
record's states (ok, missing, stale, rollover) and the zone snippet, with DNS
answered from the test zone in memory."""

import json
from pathlib import Path

import pytest

from app import create_app
from app.admin import pacc as pacc_state
from app.formats import pacc
from tests.dns_zone import FakeResolver, ZoneRecord, zone_for

WITH_465 = "[services.submissions]\nenabled = true\n"
CHANGED = WITH_465 + '[display_names]\n"example.com" = "Example Mail"\n'


@pytest.fixture
def with_465(make_settings, config_file):
    return make_settings(config_file(WITH_465))


def digest_of(settings, name="example.com"):
    return pacc.digest(pacc.document(settings, settings.domain(name)))


def report(settings, *txt_texts, name="_ua-auto-config.example.com"):
    zone = (*zone_for("127.9.9.10"), *(ZoneRecord(name, "TXT", text) for text in txt_texts))
    app = create_app({"SETTINGS": settings, "DNS_RESOLVER": FakeResolver(zone), "TESTING": True})
    client = app.test_client()
    data = json.loads(client.get("/admin/report.json").data)
    return {d["name"]: d for d in data["domains"]}, data, client


def txt_row(domain_report):
    return next(c for c in domain_report["dns"] if c["type"] == "TXT")


def test_first_start_remembers_the_digest_and_has_no_previous(with_465):
    digests = pacc_state.remember(with_465)
    assert digests["example.com"] == pacc_state.Digests(digest_of(with_465), None)
    stored = json.loads((Path(with_465.data_dir) / pacc_state.STATE_FILE).read_text())
    assert stored["xn--bcher-kva.example"]["current"] == digest_of(with_465, "xn--bcher-kva.example")


def test_a_change_keeps_the_old_digest_until_the_next_change(make_settings, config_file, with_465):
    before = digest_of(with_465)
    pacc_state.remember(with_465)
    changed = make_settings(config_file(CHANGED))
    assert pacc_state.remember(changed)["example.com"] == pacc_state.Digests(digest_of(changed), before)
    # A restart with the same settings still shows the rollover.
    assert pacc_state.remember(changed)["example.com"].previous == before
    # Unchanged domains have nothing to roll over.
    assert pacc_state.remember(changed)["example.org"].previous is None


@pytest.mark.parametrize("kind", ["missing", "not a folder"])
def test_an_unwritable_data_folder_never_stops_the_app(make_settings, config_file, tmp_path, caplog, kind):
    # A file where the folder should be fails even for root, as a read-only mount does.
    data_dir = tmp_path / "data"
    if kind == "not a folder":
        data_dir.write_text("")
    settings = make_settings(config_file(WITH_465), AUTOCONFIG_DATA_DIR=str(data_dir))
    client = create_app({"SETTINGS": settings, "TESTING": True}).test_client()
    served = client.get("/.well-known/user-agent-configuration.json", headers={"Host": "ua-auto-config.example.com"})
    assert served.status_code == 200
    lines = [r.message for r in caplog.records if r.message.startswith("PACC:")]
    assert len(lines) == 1 and lines[0].startswith("PACC: cannot keep the served digests")


def test_a_corrupt_state_file_is_forgotten_not_fatal(with_465, caplog):
    (Path(with_465.data_dir) / pacc_state.STATE_FILE).write_text("{not json")
    assert pacc_state.remember(with_465)["example.com"].previous is None
    assert "cannot read" in caplog.text


def test_the_dashboard_asks_for_the_alias_and_the_txt_record(with_465):
    domains, data, _ = report(with_465)
    example = domains["example.com"]
    assert data["pacc_off_because"] is None
    location = next(loc for loc in example["locations"] if loc["host"] == "ua-auto-config.example.com")
    assert (location["present"], location["level"]) == (False, "recommended")
    txt = f"v=UAAC1; a=sha256; d={digest_of(with_465)}"
    assert txt_row(example) == {
        "name": "_ua-auto-config.example.com",
        "type": "TXT",
        "status": "missing",
        "found": [],
        "expected": [txt],
        "level": "recommended",
        "consequence": "vouches for the document served now: without it PACC clients reject it",
    }
    lines = [line.split() for line in example["zone_snippet"].splitlines()]
    assert ["_ua-auto-config.example.com.", "3600", "IN", "TXT", *f'"{txt}"'.split()] in [line[:7] for line in lines]
    assert ["ua-auto-config.example.com.", "3600", "IN", "CNAME", "mailconfig.example.com."] in [
        line[:5] for line in lines
    ]
    address = next(c for c in example["dns"] if c["name"] == "ua-auto-config.example.com")
    assert address["status"] == "missing"


def test_the_txt_record_is_ok_with_any_tag_order_and_spacing(with_465):
    domains, _, _ = report(with_465, f"a=sha256;d={digest_of(with_465)} ;v=UAAC1;x=unknown")
    assert txt_row(domains["example.com"])["status"] == "ok"


def test_an_old_digest_alone_is_stale_and_counts_as_a_missing_recommendation(with_465):
    domains, _, _ = report(with_465, "v=UAAC1; a=sha256; d=b2xkIGRpZ2VzdA==")
    assert txt_row(domains["example.com"])["status"] == "stale"
    stale = domains["example.com"]
    domains, _, _ = report(with_465, f"v=UAAC1; a=sha256; d={digest_of(with_465)}")
    assert domains["example.com"]["recommendations"] == stale["recommendations"] - 1
    # PACC is recommended: no mail client family depends on it alone.
    assert domains["example.com"]["problems"] == stale["problems"]


def test_after_a_change_the_dashboard_shows_both_digests_and_the_rollover(make_settings, config_file, with_465):
    old = digest_of(with_465)
    pacc_state.remember(with_465)
    changed = make_settings(config_file(CHANGED))
    new = digest_of(changed)
    domains, _, client = report(changed, f"v=UAAC1; a=sha256; d={old}")
    example = domains["example.com"]
    assert (example["pacc_digest"], example["pacc_previous_digest"]) == (new, old)
    row = txt_row(example)
    assert row["expected"] == [f"v=UAAC1; a=sha256; d={new}", f"v=UAAC1; a=sha256; d={old}"]
    assert row["status"] == "stale"
    assert example["zone_snippet"].count("IN TXT") == 2
    # Both published: the rollover in progress, not a fault.
    domains, _, _ = report(changed, f"v=UAAC1; a=sha256; d={old}", f"v=UAAC1; a=sha256; d={new}")
    assert txt_row(domains["example.com"])["status"] == "rollover"
    page = client.get("/admin").get_data(as_text=True)
    assert new in page and old in page and "The settings changed" in page


def test_with_587_only_the_dashboard_says_why_pacc_is_off(settings):
    domains, data, client = report(settings)
    assert "port 465" in data["pacc_off_because"]
    assert not any(c["type"] == "TXT" for c in domains["example.com"]["dns"])
    assert "ua-auto-config" not in domains["example.com"]["zone_snippet"]
    page = client.get("/admin").get_data(as_text=True)
    assert "PACC (IETF draft)" in page and "enable services.submissions (port 465, tls ssl)" in page


def test_the_self_test_flags_a_document_no_txt_record_vouches_for(with_465):
    from app.admin import self_test

    probe = self_test.probes(with_465, with_465.domain("example.com"), frozenset({"other"}))[-1]
    body = pacc.document(with_465, with_465.domain("example.com"))
    result = self_test.judge(probe, "127.0.0.1", 200, "application/json", body, 5)
    assert (result.parses, result.right_server, result.ok) == (True, True, False)
    assert "no TXT record at _ua-auto-config.example.com vouches for its digest" in result.detail
    trusted = self_test.probes(with_465, with_465.domain("example.com"), frozenset({pacc.digest(body)}))[-1]
    assert self_test.judge(trusted, "127.0.0.1", 200, "application/json", body, 5).ok
