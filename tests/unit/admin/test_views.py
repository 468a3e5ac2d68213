"""/admin and /admin/report.json through Flask's test client, with DNS
answered from the test zone in memory (tests/dns_zone.py); who may open the page."""

import json
import re

import pytest

from app import create_app
from tests.dns_zone import FakeResolver, ZoneRecord


@pytest.fixture
def admin_app(settings, fake_dns):
    return create_app({"SETTINGS": settings, "DNS_RESOLVER": fake_dns, "TESTING": True})


@pytest.fixture
def admin(admin_app):
    return admin_app.test_client()


def test_report_json_covers_every_domain(admin):
    response = admin.get("/admin/report.json")
    assert response.status_code == 200
    assert response.content_type == "application/json; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    report = json.loads(response.data)
    domains = {d["name"]: d for d in report["domains"]}
    assert list(domains) == ["example.com", "example.org", "xn--bcher-kva.example"]
    dns = {(c["name"], c["type"]): c["status"] for c in domains["example.com"]["dns"]}
    assert dns["_imap._tcp.example.com", "SRV"] == "missing"
    assert dns["example.com", "MX"] == "ok"
    # Only required items count as problems: the three unreachable probes,
    # not the two "not offered" SRV rows (missing, wrong), which are optional.
    example_com = domains["example.com"]
    assert (example_com["problems"], example_com["recommendations"], example_com["optional"]) == (3, 0, 2)
    for count in ("problems", "recommendations", "optional"):
        assert report[count] == sum(d[count] for d in domains.values())


def test_a_domain_with_only_the_required_records_and_aliases_has_no_problem(make_settings):
    """ "All good" is reachable: no SRV record at all, the aliases added,
    the names resolving to the app; only the self-test stays (unreachable
    here, end to end in tests/e2e/test_admin.py), and nothing else counts."""
    settings = make_settings(CLOUDRON_EMAIL_DOMAINS="example.com")
    web = "127.9.9.10"
    zone = [
        ZoneRecord("mailconfig.example.com", "A", web),
        ZoneRecord("autoconfig.example.com", "CNAME", "mailconfig.example.com."),
        ZoneRecord("autodiscover.example.com", "A", web),
    ]
    app = create_app({"SETTINGS": settings, "DNS_RESOLVER": FakeResolver(zone)})
    report = json.loads(app.test_client().get("/admin/report.json").data)
    (domain,) = report["domains"]
    unmet = [row["level"] for part in ("locations", "dns") for row in domain[part] if not _ok(row)]
    assert "required" not in unmet
    assert unmet.count("recommended") == domain["recommendations"] == 3  # _autodiscover, _imaps, _submission
    assert unmet.count("optional") == domain["optional"] == 4
    assert unmet.count("informational") == 1  # no MX: not this app's problem
    assert domain["problems"] == sum(not r["ok"] for r in domain["self_test"]) == 3


def _ok(row):
    return row.get("present", row.get("status") == "ok")


def test_every_row_states_its_level_and_what_breaks_without_it(admin):
    report = json.loads(admin.get("/admin/report.json").data)
    rows = [row for d in report["domains"] for part in ("locations", "dns", "self_test") for row in d[part]]
    assert all(d[part] for d in report["domains"] for part in ("locations", "dns", "self_test"))
    for row in rows:
        assert row["level"] in {"required", "recommended", "optional", "informational"}
        assert len(row["consequence"]) > 20, row
    page = admin.get("/admin").get_data(as_text=True)
    tables = re.findall(r'<table class="checks">(.*?)</table>', page, re.S)
    checked = [tr for table in tables for tr in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)]
    assert len(checked) == len(rows)  # every checked row of the JSON is on the page...
    for tr in checked:  # ...with its level and its consequence
        assert re.search(r'class="badge badge-(required|recommended|optional|informational)"', tr), tr
        assert re.search(r'<small class="consequence">[^<]{20,}</small>', tr), tr


def test_the_page_leads_with_the_required_items(admin):
    page = admin.get("/admin").get_data(as_text=True)
    assert "14 required things to fix below" in page
    assert "Counted apart: 6 recommended records and 10 optional records not in place." in page
    domain = page[page.index('id="domain-example.com"') :]
    headings = re.findall(r"<h3>(\w+):", domain[: domain.index("</section>")])
    assert headings == ["Required", "Recommended", "Optional", "Informational"]


def test_missing_locations_say_which_alias_to_add(admin):
    report = json.loads(admin.get("/admin/report.json").data)
    locations = {loc["host"]: loc["present"] for d in report["domains"] for loc in d["locations"]}
    assert locations["autoconfig.example.com"] and locations["autodiscover.example.org"]
    assert not locations["autoconfig.xn--bcher-kva.example"]
    page = admin.get("/admin").get_data(as_text=True)
    # One block per domain lists every alias to add, as Cloudron's form asks
    # for it: the subdomain, then the domain.
    assert "<strong>Add these 2 aliases</strong>" in page
    assert (
        '<pre class="aliases">autoconfig     xn--bcher-kva.example\nautodiscover   xn--bcher-kva.example</pre>'
    ) in page
    assert page.count('<pre class="aliases">') == 1


def test_page_shows_zone_snippet_settings_and_their_sources(admin):
    page = admin.get("/admin").get_data(as_text=True)
    assert "_pop3s._tcp.example.org.        3600 IN SRV   0 0 0 ." in page
    assert "<td><code>services.imap.port</code></td><td>993</td><td>default</td>" in page
    assert "<td><code>mail_host</code></td><td>my.example.com</td><td>Cloudron environment</td>" in page


def test_self_test_reports_what_it_could_not_reach(admin):
    report = json.loads(admin.get("/admin/report.json").data)
    results = {r["url"]: r for d in report["domains"] for r in d["self_test"]}
    unresolved = results["https://autoconfig.xn--bcher-kva.example/mail/config-v1.1.xml"]
    assert not unresolved["ok"] and "does not resolve" in unresolved["detail"]
    # In the test zone example.org's autoconfig points where nothing listens.
    assert (
        results["https://autoconfig.example.org/mail/config-v1.1.xml"]["detail"] == "connection refused or unreachable"
    )


def test_config_file_error_is_shown(make_settings, config_file, fake_dns):
    settings = make_settings(config_file("[services.imap]\nport = 99999\n"))
    app = create_app({"SETTINGS": settings, "DNS_RESOLVER": fake_dns})
    page = app.test_client().get("/admin").get_data(as_text=True)
    assert "Config file ignored" in page
    assert "services.imap.port: must be a port number from 1 to 65535, got 99999" in page


def test_recent_requests_show_domain_and_client_but_never_the_address(admin):
    admin.get(
        "/mail/config-v1.1.xml",
        query_string={"emailaddress": "jane.doe@example.org"},
        headers={"User-Agent": "Thunderbird/128.0"},
    )
    admin.get(
        "/autodiscover/autodiscover.json/v1.0/joe@example.net?Protocol=AutodiscoverV1",
        headers={"User-Agent": "Microsoft Office/16.0 (Microsoft Outlook 16.0)"},
    )
    admin.get("/healthz")
    report = json.loads(admin.get("/admin/report.json").data)
    seen = [(r["endpoint"], r["domain"], r["client"], r["outcome"]) for r in report["recent_requests"]]
    assert seen == [
        ("Autodiscover JSON", "example.net", "Outlook", "refused (HTTP 404)"),
        ("autoconfig", "example.org", "Thunderbird", "settings sent"),
    ]
    page = admin.get("/admin").get_data(as_text=True)
    assert "jane.doe" not in page and "joe@" not in page
    assert "no email address" in page and "Emptied when the app restarts" in page


# --- who may open it -------------------------------------------------------


def closed(response):
    return response.status_code == 403 and b"admin page is closed" in response.data


@pytest.mark.parametrize("path", ["/admin", "/admin/report.json"])
def test_outside_cloudron_the_page_is_closed_by_default(make_settings, path):
    app = create_app({"SETTINGS": make_settings(CLOUDRON=None)})
    response = app.test_client().get(path, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert closed(response)
    assert response.content_type == "text/plain; charset=utf-8"


def test_an_explicit_setting_opens_it(make_settings, fake_dns):
    app = create_app({"SETTINGS": make_settings(CLOUDRON=None, AUTOCONFIG_ADMIN_OPEN="1"), "DNS_RESOLVER": fake_dns})
    response = app.test_client().get("/admin", environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert response.status_code == 200
    assert b"AUTOCONFIG_ADMIN_OPEN=1 is set" in response.data


@pytest.mark.parametrize(
    "remote, headers, is_open",
    [
        ("127.0.0.1", {}, True),
        ("::1", {}, True),
        ("203.0.113.7", {}, False),
        # A proxy in front (or a client faking one) is not "this machine".
        ("127.0.0.1", {"X-Forwarded-For": "127.0.0.1"}, False),
    ],
)
def test_demo_environment_opens_only_to_this_machine(tmp_path, fake_dns, remote, headers, is_open):
    env = {"AUTOCONFIG_CONFIG_FILE": str(tmp_path / "none.toml")}
    app = create_app({"ENVIRON": env, "DNS_RESOLVER": fake_dns})
    response = app.test_client().get("/admin/report.json", headers=headers, environ_base={"REMOTE_ADDR": remote})
    assert (response.status_code == 200) is is_open
    assert closed(response) is not is_open


def test_an_incomplete_environment_and_the_signer_are_on_the_page(make_settings, fake_dns):
    app = create_app({"SETTINGS": make_settings(CLOUDRON_EMAIL_SERVER_HOST=None), "DNS_RESOLVER": fake_dns})
    client = app.test_client()
    page = client.get("/admin").get_data(as_text=True)
    assert "Cloudron environment incomplete" in page and "CLOUDRON_EMAIL_SERVER_HOST is not set" in page
    assert "Apple profiles: unsigned: no file at" in page
    report = json.loads(client.get("/admin/report.json").data)
    assert report["environment_problems"][0].startswith("CLOUDRON_EMAIL_SERVER_HOST is not set")


def test_the_page_shows_each_domains_dav_login_with_an_example(make_settings, config_file, fake_dns):
    from tests.dav import DAV_TOML

    settings = make_settings(config_file(DAV_TOML))
    admin = create_app({"SETTINGS": settings, "DNS_RESOLVER": fake_dns, "TESTING": True}).test_client()
    page = admin.get("/admin").get_data(as_text=True)
    assert "<code>jane.doe@example.com</code> is told to log in as\n    <strong><code>jane.doe</code></strong>" in page
    assert (
        "<code>jane.doe@example.org</code> is told to log in as\n    <strong><code>jane.doe@example.org</code></strong>"
        in page
    )
    assert "usually want the <em>Cloudron username</em>" in page
    assert "look up the _caldavs._tcp.example.com and _carddavs._tcp.example.com SRV and TXT records" in page
    report = json.loads(admin.get("/admin/report.json").data)
    dav = {d["name"]: d["dav"] for d in report["domains"]}
    assert dav["example.com"]["login"] == "the part before @"
    # The test zone has no address for the DAV hosts: every check says so.
    assert {c["ok"] for c in dav["example.org"]["checks"]} == {False}


def test_without_dav_the_page_has_no_calendar_section(admin):
    assert "Calendars and contacts" not in admin.get("/admin").get_data(as_text=True)
    assert all(d["dav"] is None for d in json.loads(admin.get("/admin/report.json").data)["domains"])
