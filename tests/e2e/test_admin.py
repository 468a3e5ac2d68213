"""The admin dashboard end to end. Real parts: gunicorn (production config,
2 workers) serving HTTPS itself on a random 127.x.y.z:443 with a certificate
from the test PKI, dnsmasq answering for the test zone (the app resolves its
own names through it, as the DNS checks do), headless Chromium for the page."""

import json
import ssl

import pytest
import requests
import urllib3

from app.admin import self_test
from support.processes import random_loopback
from tests.conftest import CLOUDRON_ENV
from tests.dns_server import dnsmasq
from tests.dns_zone import ZoneRecord, dnsmasq_options
from tests.pki import make_ca

from .browser import ARTIFACTS, screenshot
from .servers import gunicorn

APP_HOST = "mailconfig.example.com"
# autodiscover.example.org resolves to the server but is left out of the
# certificate: the self-test must catch that, as a client would.
CERTIFIED = [APP_HOST, "autoconfig.example.com", "autodiscover.example.com", "autoconfig.example.org"]


@pytest.fixture(scope="module")
def server(tmp_path_factory, dns_server):
    folder = tmp_path_factory.mktemp("admin")
    ca = make_ca(folder / "pki")
    env = {
        **CLOUDRON_ENV,
        "AUTOCONFIG_DNS_SERVER": dns_server.address,
        "AUTOCONFIG_CONFIG_FILE": str(folder / "absent.toml"),
        # OpenSSL's own override: the app trusts only the test root.
        "SSL_CERT_FILE": str(ca.root),
    }
    with gunicorn(env, port=443, host=dns_server.web, tls=ca.issue(CERTIFIED)) as (_, _, log):
        yield dns_server.web, ca, log


def get(server, path, **kwargs):
    """A verified HTTPS request to the app's own name at the server's address."""
    address, ca, _ = server
    pool = urllib3.HTTPSConnectionPool(
        address, 443, server_hostname=APP_HOST, assert_hostname=APP_HOST, ca_certs=str(ca.root)
    )
    return pool.request("GET", path, headers={"Host": APP_HOST, **kwargs.pop("headers", {})}, **kwargs)


def test_self_test_fetches_the_endpoints_over_verified_https(server):
    report = json.loads(get(server, "/admin/report.json").data)
    results = {r["url"]: r for d in report["domains"] for r in d["self_test"]}
    for url in [
        "https://autoconfig.example.com/mail/config-v1.1.xml",
        "https://autodiscover.example.com/autodiscover/autodiscover.xml",
        "https://autodiscover.example.com/autodiscover/autodiscover.json/v1.0/"
        "self-test@example.com?Protocol=AutodiscoverV1",
    ]:
        result = results[url]
        assert (result["status"], result["parses"], result["right_server"], result["ok"]) == (200, True, True, True)
        assert result["address"] == server[0]
    assert (
        results["https://autoconfig.example.com/mail/config-v1.1.xml"]["content_type"]
        == "application/xml; charset=utf-8"
    )
    wrong_cert = results["https://autodiscover.example.org/autodiscover/autodiscover.xml"]
    assert not wrong_cert["ok"] and wrong_cert["detail"].startswith("TLS failed")
    assert "hostname 'autodiscover.example.org' doesn't match" in wrong_cert["detail"]


def test_recent_requests_are_shared_by_all_workers(server):
    for n in range(20):
        # A new connection each time, so both workers take some.
        response = get(
            server,
            f"/mail/config-v1.1.xml?emailaddress=user{n}%40example.org",
            headers={"User-Agent": "Thunderbird/128.0", "Connection": "close"},
        )
        assert response.status == 200
    recent = json.loads(get(server, "/admin/report.json").data)["recent_requests"]
    mine = [r for r in recent if r["client"] == "Thunderbird"]
    assert len(mine) == 20
    assert {(r["domain"], r["outcome"]) for r in mine} == {("example.org", "settings sent")}
    assert any(r["client"] == "this page's self-test" for r in recent)


def test_dashboard_in_headless_chromium_without_javascript(server, chromium):
    address, _, _ = server
    page = chromium.page(ignore_https_errors=True, java_script_enabled=False)
    response = page.goto(f"https://{address}/admin")
    assert response.status == 200
    assert page.locator("h1").inner_text() == "Mail autoconfig: admin"
    # Only required items count: example.com's two wrong "not offered" SRV
    # rows are optional; example.org's autoconfig address points elsewhere
    # (its record and its probe) and its certificate misses autodiscover (two probes).
    assert page.locator("h2").all_inner_texts()[:3] == [
        "example.com REQUIRED IN PLACE",
        "example.org 4 REQUIRED TO FIX",
        "bücher.example (xn--bcher-kva.example) 7 REQUIRED TO FIX",
    ]
    assert (
        page.locator("pre.aliases").inner_text()
        == "autoconfig     xn--bcher-kva.example\nautodiscover   xn--bcher-kva.example"
    )
    assert page.locator(".badge-missing").count() > 0 and page.locator(".badge-ok").count() > 0
    # The zone snippet is open where something is wrong, ready to copy.
    assert page.locator("details[open] pre").first.is_visible()
    screenshot(page, "admin-dashboard")
    # The top of the page alone, as docs/admin-dashboard.md shows it.
    page.screenshot(path=str(ARTIFACTS / "admin-dashboard-top.png"))
    page.context.close()


def test_demo_environment_from_a_proxy_is_refused_by_real_gunicorn(tmp_path, dns_server):
    with gunicorn(
        {"AUTOCONFIG_CONFIG_FILE": str(tmp_path / "none.toml"), "AUTOCONFIG_DNS_SERVER": dns_server.address}
    ) as (base, _, _):
        assert requests.get(base + "/admin/report.json").status_code == 200
        refused = requests.get(base + "/admin", headers={"X-Forwarded-For": "198.51.100.4"})
        assert refused.status_code == 403
        assert refused.headers["Content-Type"] == "text/plain; charset=utf-8"


def test_self_test_says_when_the_server_reached_names_other_mail_servers(server, make_settings):
    # An app expecting another mail host asks the running server (which
    # serves my.example.com): every document must be flagged, not passed.
    address, ca, _ = server
    expecting = make_settings(CLOUDRON_EMAIL_SERVER_HOST="mail.example.net")
    context = ssl.create_default_context(cafile=str(ca.root))
    for probe in self_test.probes(expecting, expecting.domain("example.com"))[:2]:
        result = self_test.fetch(probe, (address,), context)
        assert (result.status, result.parses, result.right_server, result.ok) == (200, True, False, False)
        assert result.detail == (
            "names my.example.com:587, my.example.com:993, expected mail.example.net:587, mail.example.net:993"
        )


def test_demo_environment_with_nothing_set_up_leads_with_the_required_items(tmp_path, chromium):
    """`make run` on a laptop, with a nameserver that knows none of the demo
    domains' records: the banner counts the required items only."""
    with (
        dnsmasq(dnsmasq_options([])) as nameserver,
        gunicorn({"AUTOCONFIG_CONFIG_FILE": str(tmp_path / "none.toml"), "AUTOCONFIG_DNS_SERVER": nameserver}) as (
            base,
            _,
            _,
        ),
    ):
        report = requests.get(base + "/admin/report.json").json()
        page = chromium.page(java_script_enabled=False)
        page.goto(base + "/admin")
        required_missing = sum(
            not row.get("present", row.get("ok", row.get("status") == "ok"))
            for d in report["domains"]
            for part in ("locations", "dns", "self_test")
            for row in d[part]
            if row["level"] == "required"
        )
        assert report["problems"] == required_missing == 11
        assert (report["recommendations"], report["optional"]) == (6, 8)
        assert page.locator(".summary").inner_text() == (
            "11 required things to fix below: without them, some mail clients cannot set themselves up."
        )
        first_domain = page.locator("section.domain").first
        assert first_domain.locator("h3").all_inner_texts()[0].startswith("Required:")
        assert first_domain.locator("table.checks").first.locator(".badge-required").count() == 4
        screenshot(page, "admin-demo-nothing-set-up")
        page.screenshot(path=str(ARTIFACTS / "admin-demo-nothing-set-up-top.png"))
        page.context.close()


def test_only_the_required_records_and_aliases_make_everything_required_in_place(tmp_path, chromium):
    """One mail domain, its two aliases, a nameserver with nothing but the
    names' addresses (no SRV, no MX) and a certificate for them: a real install
    the admin set up as POSTINSTALL says, and nothing left to fix."""
    web = random_loopback()
    zone = [
        ZoneRecord("mailconfig.example.com", "A", web),
        ZoneRecord("autoconfig.example.com", "CNAME", "mailconfig.example.com."),
        ZoneRecord("autodiscover.example.com", "A", web),
    ]
    ca = make_ca(tmp_path / "pki")
    env = {
        **CLOUDRON_ENV,
        "CLOUDRON_EMAIL_DOMAINS": "example.com",
        "CLOUDRON_ALIAS_DOMAINS": "autoconfig.example.com,autodiscover.example.com",
        "AUTOCONFIG_CONFIG_FILE": str(tmp_path / "absent.toml"),
        "SSL_CERT_FILE": str(ca.root),
    }
    tls = ca.issue([APP_HOST, "autoconfig.example.com", "autodiscover.example.com"])
    with (
        dnsmasq(dnsmasq_options(zone)) as nameserver,
        gunicorn({**env, "AUTOCONFIG_DNS_SERVER": nameserver}, port=443, host=web, tls=tls),
    ):
        report = json.loads(get((web, ca, None), "/admin/report.json").data)
        assert [r["ok"] for r in report["domains"][0]["self_test"]] == [True, True, True]
        assert (report["problems"], report["recommendations"], report["optional"]) == (0, 3, 4)
        page = chromium.page(ignore_https_errors=True, java_script_enabled=False)
        page.goto(f"https://{web}/admin")
        assert page.locator(".summary").inner_text() == (
            "Everything required is in place: every mail client family can set itself up."
        )
        assert page.locator("pre.aliases").count() == 0
        screenshot(page, "admin-required-in-place")
        page.context.close()
