"""Whose X-Forwarded-* headers are believed, and who reaches /admin on Cloudron:
only the TCP peer Cloudron names as its proxy (CLOUDRON_PROXY_IP)."""

import pytest
from defusedxml.ElementTree import fromstring

from app import create_app

PROXY = "172.18.0.1"
NEIGHBOUR = "172.18.0.7"  # another container on Cloudron's network


@pytest.fixture
def cloudron_client(make_settings, fake_dns):
    app = create_app({"SETTINGS": make_settings(CLOUDRON_PROXY_IP=PROXY), "DNS_RESOLVER": fake_dns})
    return app.test_client()


def documentation_url(response):
    return fromstring(response.data).find("emailProvider/documentation").get("url")


@pytest.mark.parametrize("peer, link_host", [(PROXY, "autoconfig.example.org"), (NEIGHBOUR, "autoconfig.example.com")])
def test_forwarded_host_is_believed_from_the_proxy_only(cloudron_client, peer, link_host):
    response = cloudron_client.get(
        "/mail/config-v1.1.xml",
        headers={"Host": "autoconfig.example.com", "X-Forwarded-Host": "autoconfig.example.org"},
        environ_base={"REMOTE_ADDR": peer},
    )
    assert documentation_url(response) == f"https://{link_host}/"


@pytest.mark.parametrize("peer, status", [(PROXY, 200), (NEIGHBOUR, 403), ("127.0.0.1", 403)])
def test_on_cloudron_the_dashboard_opens_only_through_the_proxy(cloudron_client, peer, status):
    for path in ["/admin", "/admin/report.json"]:
        # A neighbour claiming to be forwarded by the proxy changes nothing.
        headers = {"X-Forwarded-For": PROXY}
        assert cloudron_client.get(path, headers=headers, environ_base={"REMOTE_ADDR": peer}).status_code == status


@pytest.mark.parametrize("peer", [PROXY, NEIGHBOUR, "127.0.0.1", "10.0.0.9"])
def test_the_health_check_answers_whoever_asks(cloudron_client, peer):
    assert cloudron_client.get("/healthz", environ_base={"REMOTE_ADDR": peer}).status_code == 200


@pytest.mark.parametrize("proto", ["javascript", "ftp", "https:evil", ""])
def test_a_forwarded_scheme_other_than_http_or_https_never_reaches_a_link(tmp_path, proto):
    # The demo serves http: the scheme the proxy forwards is used, but only a link's.
    app = create_app({"ENVIRON": {"AUTOCONFIG_CONFIG_FILE": str(tmp_path / "none.toml")}})
    response = app.test_client().get(
        "/mail/config-v1.1.xml", headers={"Host": "autoconfig.example.com", "X-Forwarded-Proto": proto}
    )
    assert documentation_url(response) == "http://autoconfig.example.com/"
