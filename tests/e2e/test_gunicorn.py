"""End to end through a real gunicorn (production config, 2 workers) on loopback."""
import pytest
import requests
from defusedxml.ElementTree import fromstring
from exchangelib.autodiscover.properties import Autodiscover

from support.inputs import CLOUDRON_ENV, pox_request

from .servers import gunicorn


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    config = tmp_path_factory.mktemp("data") / "config.toml"
    config.write_text("services.submissions.enabled = true\n")
    with gunicorn({**CLOUDRON_ENV, "AUTOCONFIG_CONFIG_FILE": str(config)}) as running:
        yield running


def test_autoconfig_over_real_gunicorn(server):
    base, _, _ = server
    response = requests.get(base + "/mail/config-v1.1.xml", params={"emailaddress": "jane@bücher.example"},
                            headers={"Host": "autoconfig.xn--bcher-kva.example"}, allow_redirects=False)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
    provider = fromstring(response.content).find("emailProvider")
    assert provider.get("id") == "xn--bcher-kva.example"
    assert [s.findtext("port") for s in provider.findall("outgoingServer")] == ["465", "587"]


def test_forwarded_headers_from_one_proxy_hop_shape_links(server):
    base, _, _ = server
    response = requests.get(base + "/.well-known/autoconfig/mail/config-v1.1.xml", headers={
        "Host": "127.0.0.1", "X-Forwarded-Host": "autoconfig.example.org", "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "203.0.113.9"})
    doc = fromstring(response.content).find("emailProvider/documentation")
    assert doc.get("url") == "https://autoconfig.example.org/"


def test_autodiscover_pox_and_json_over_real_gunicorn(server):
    base, _, _ = server
    response = requests.post(base + "/Autodiscover/Autodiscover.xml", data=pox_request(),
                             headers={"Content-Type": "text/xml"})
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    Autodiscover.from_bytes(response.content).raise_errors()
    response = requests.get(base + "/autodiscover/autodiscover.json/v1.0/jane@example.com",
                            params={"Protocol": "AutodiscoverV1"})
    assert response.json()["Url"] == "https://autodiscover.example.com/autodiscover/autodiscover.xml"


def test_oversized_body_is_refused_before_parsing(server):
    base, _, _ = server
    response = requests.post(base + "/autodiscover/autodiscover.xml", data=b"<" * 100_000)
    assert response.status_code == 413


def test_demo_environment_is_said_in_the_first_log_line(tmp_path):
    with gunicorn({"AUTOCONFIG_CONFIG_FILE": str(tmp_path / "none.toml")}) as (base, _, log_path):
        response = requests.get(base + "/mail/config-v1.1.xml", headers={"Host": "autoconfig.example.com"})
        assert response.status_code == 200
    first = log_path.read_text().splitlines()[0]
    assert "DEMO environment" in first and "example.com, example.org" in first


def test_config_error_is_logged_in_one_line_and_app_keeps_serving(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("[services.imap]\nport = 99999\n")
    env = {**CLOUDRON_ENV, "AUTOCONFIG_CONFIG_FILE": str(config)}
    with gunicorn(env) as (base, _, log_path):
        response = requests.get(base + "/mail/config-v1.1.xml", headers={"Host": "autoconfig.example.com"})
        assert response.status_code == 200
        assert b"<port>993</port>" in response.content
    errors = [line for line in log_path.read_text().splitlines() if "config file ignored" in line]
    assert len(errors) == 1
    assert str(config) in errors[0] and "services.imap.port" in errors[0]


def test_chunked_bodies_are_read_and_capped_like_any_other(server):
    base, _, _ = server
    # A generator body makes requests send Transfer-Encoding: chunked.
    valid = requests.post(base + "/autodiscover/autodiscover.xml",
                          data=iter([pox_request()]))
    assert valid.request.headers.get("Transfer-Encoding") == "chunked"
    Autodiscover.from_bytes(valid.content).raise_errors()
    oversized = requests.post(base + "/autodiscover/autodiscover.xml", data=iter([b"<" * 8192] * 64))
    assert oversized.status_code == 413
