"""The app as Cloudron users reach it: real curl -> real nginx (TLS on 443 with
a test CA, plain HTTP on 80, Cloudron's forwarded headers) -> start.sh under
bubblewrap -> gunicorn. Every endpoint answers over both schemes, never with
a redirect, and the URLs it emits are https on the right host."""
import json
import subprocess

import pytest
from defusedxml.ElementTree import fromstring
from exchangelib.autodiscover.properties import Autodiscover

from support.sandbox import HTTP_PORT, cloudron_runtime

from .proxy import nginx_proxy

DOMAINS = ("example.com", "example.org", "xn--bcher-kva.example")
APP_DOMAIN = "mailconfig.example.com"
SCHEMES = ("https", "http")
CURL_PEER_FAILED_VERIFICATION = 60


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    work = tmp_path_factory.mktemp("cloudron")
    (work / "data").mkdir()
    names = [APP_DOMAIN] + [f"{service}.{d}" for d in DOMAINS for service in ("autoconfig", "autodiscover")]
    with cloudron_runtime(work / "data", work) as sandbox:
        with nginx_proxy(f"{sandbox.address}:{HTTP_PORT}", names, work / "nginx") as running:
            yield running


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("path", ["/mail/config-v1.1.xml", "/.well-known/autoconfig/mail/config-v1.1.xml"])
def test_autoconfig_links_to_https_on_the_host_asked(proxy, scheme, domain, path):
    response = proxy.curl(f"{scheme}://autoconfig.{domain}{path}?emailaddress=jane%40{domain}")
    assert response.status == 200
    assert response.headers["content-type"] == "application/xml; charset=utf-8"
    provider = fromstring(response.body).find("emailProvider")
    assert provider.get("id") == domain
    assert provider.find("incomingServer/hostname").text == "my.example.com"
    assert provider.find("documentation").get("url") == f"https://autoconfig.{domain}/"


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("path", ["/autodiscover/autodiscover.xml", "/Autodiscover/Autodiscover.xml"])
def test_autodiscover_xml_is_read_by_exchangelib(proxy, scheme, domain, path):
    response = proxy.curl(f"{scheme}://autodiscover.{domain}{path}", "--header", "Content-Type: text/xml",
                          data=Autodiscover.payload(f"jane@{domain}"))
    assert response.status == 200
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    account = Autodiscover.from_bytes(response.body).response.account
    assert {(p.type, p.server, p.port) for p in account.protocols} == {
        ("IMAP", "my.example.com", 993), ("SMTP", "my.example.com", 587)}


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("domain", DOMAINS)
def test_autodiscover_json_points_at_https_autodiscover_host(proxy, scheme, domain):
    expected = {"Protocol": "AutodiscoverV1",
                "Url": f"https://autodiscover.{domain}/autodiscover/autodiscover.xml"}
    for url in (f"{scheme}://autodiscover.{domain}/autodiscover/autodiscover.json"
                f"?Email=jane%40{domain}&Protocol=AutodiscoverV1",
                f"{scheme}://autodiscover.{domain}/autodiscover/autodiscover.json/v1.0/jane%40{domain}"
                "?Protocol=Autodiscoverv1"):
        response = proxy.curl(url)
        assert response.status == 200
        assert json.loads(response.body) == expected


@pytest.mark.parametrize("scheme", SCHEMES)
def test_health_and_errors_answer_without_redirects(proxy, scheme):
    assert proxy.curl(f"{scheme}://{APP_DOMAIN}/healthz").status == 200
    unknown = proxy.curl(f"{scheme}://autoconfig.example.com/mail/config-v1.1.xml?emailaddress=a%40unknown.test")
    assert unknown.status == 404
    protocol = proxy.curl(f"{scheme}://autodiscover.example.com/autodiscover/autodiscover.json"
                          "?Email=jane%40example.com&Protocol=ActiveSync")
    assert protocol.status == 400 and json.loads(protocol.body)["ErrorCode"] == "InvalidProtocol"


def test_certificate_is_verified_for_every_autoconfig_and_autodiscover_name(proxy):
    # curl checks the chain up to the test root and the name: a wrong name fails.
    for domain in DOMAINS:
        for service in ("autoconfig", "autodiscover"):
            assert proxy.curl(f"https://{service}.{domain}/healthz").status == 200
    with pytest.raises(subprocess.CalledProcessError) as refused:
        proxy.curl("https://autoconfig.not-in-the-certificate.example/healthz")
    assert refused.value.returncode == CURL_PEER_FAILED_VERIFICATION


@pytest.mark.parametrize("scheme", SCHEMES)
def test_oversized_bodies_get_the_apps_413_not_a_proxy_error(proxy, scheme):
    # The proxy is still sending the body when the app has its answer: unless
    # the app reads what is left, the proxy sees a reset and answers 502.
    body = b"<" * (1024 * 1024 - 1024)
    statuses = [proxy.curl(f"{scheme}://autodiscover.example.com/autodiscover/autodiscover.xml", data=body).status
                for _ in range(30)]
    assert statuses == [413] * 30
