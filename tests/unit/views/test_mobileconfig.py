"""GET /mobileconfig through Flask's test client, as Safari asks for it."""

import plistlib

import pytest

from app import create_app
from app.formats.mobileconfig import profile
from tests.pki import cms_verify


def test_unsigned_profile_without_a_certificate(client, settings):
    response = client.get("/mobileconfig", query_string={"emailaddress": "jane@example.com"})
    assert response.status_code == 200
    assert response.content_type == "application/x-apple-aspen-config"
    assert response.headers["Content-Disposition"] == 'attachment; filename="example.com.mobileconfig"'
    assert response.data == profile(settings, settings.domain("example.com"), "jane@example.com")


def test_signed_profile_with_the_tls_addon_certificate(make_settings, test_ca, tmp_path):
    leaf = test_ca.issue(["mailconfig.example.com"])
    settings = make_settings(AUTOCONFIG_TLS_CERT_FILE=str(leaf.cert), AUTOCONFIG_TLS_KEY_FILE=str(leaf.key))
    client = create_app({"SETTINGS": settings, "TESTING": True}).test_client()
    response = client.get("/mobileconfig?emailaddress=jane%40b%C3%BCcher.example")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="xn--bcher-kva.example.mobileconfig"'
    result = cms_verify(response.data, test_ca.root, tmp_path)
    assert result.returncode == 0, result.stderr
    content = (tmp_path / "content").read_bytes()
    assert content == profile(settings, settings.domain("xn--bcher-kva.example"), "jane@xn--bcher-kva.example")
    assert plistlib.loads(content)["PayloadContent"][0]["EmailAddress"] == "jane@xn--bcher-kva.example"


@pytest.mark.parametrize(
    "query, status",
    [
        ({}, 400),
        ({"emailaddress": ""}, 400),
        ({"emailaddress": "not-an-address"}, 400),
        ({"emailaddress": "jane@@example.com"}, 400),
        ({"emailaddress": "jane@example.net"}, 404),
        ({"emailaddress": "jane@autoconfig.example.com"}, 404),
    ],
)
def test_bad_or_foreign_addresses_get_a_short_4xx_never_a_profile(client, query, status):
    response = client.get("/mobileconfig", query_string=query, headers={"Host": "autoconfig.example.com"})
    assert response.status_code == status
    assert response.content_type == "text/plain; charset=utf-8"
    assert b"plist" not in response.data and b"@" not in response.data
