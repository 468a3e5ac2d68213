"""Property-based junk at /admin and /admin/report.json, and junk sent to the
discovery endpoints first, since the admin page shows what they recorded."""
import json
from urllib.parse import quote

import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from app import create_app

from tests.unit.views.test_discovery_fuzz import HOSTS, JUNK, assert_safe, common

ADMIN = ["/admin", "/admin/report.json"]


@pytest.fixture
def admin_app(settings, fake_dns):
    return create_app({"SETTINGS": settings, "DNS_RESOLVER": fake_dns, "TESTING": True})


@common
@given(path=st.sampled_from(ADMIN), suffix=JUNK, query=st.dictionaries(JUNK, JUNK, max_size=4),
       host=HOSTS, method=st.sampled_from(["GET", "POST", "HEAD", "OPTIONS", "DELETE"]))
def test_junk_requests_to_the_admin_pages(admin_app, path, suffix, query, host, method):
    headers = {"Host": host} if all(32 < ord(c) < 127 for c in host) else {}
    response = admin_app.test_client().open(path + suffix.replace("?", "").replace("#", ""),
                                            method=method, query_string=query, headers=headers)
    assert_safe(response, suffix, host, *query.keys(), *query.values())


@hypothesis_settings(common, max_examples=60)
@given(address=JUNK, host=HOSTS, agent=JUNK)
def test_what_clients_send_never_comes_back_unescaped_on_the_admin_pages(admin_app, address, host, agent):
    client = admin_app.test_client()
    # Headers carry latin-1 without line breaks; anything else never reaches the app.
    headers = {"User-Agent": "".join(c for c in agent if " " <= c <= "\xff")}
    if all(32 < ord(c) < 127 for c in host):
        headers["Host"] = host
    client.get("/mail/config-v1.1.xml", query_string={"emailaddress": address}, headers=headers)
    client.get(f"/autodiscover/autodiscover.json/v1.0/{quote(address, safe='@')}", headers=headers,
               query_string={"Protocol": "AutodiscoverV1"})
    page, report = client.get("/admin"), client.get("/admin/report.json")
    assert page.status_code == report.status_code == 200
    assert_safe(page, address, host, agent)
    assert_safe(report, address, host, agent)
    json.loads(report.data)
