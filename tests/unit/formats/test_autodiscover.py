"""Autodiscover POX requests and responses, read by exchangelib's own parser."""
import json

import pytest
from defusedxml.ElementTree import fromstring
from exchangelib.autodiscover.properties import Autodiscover
from exchangelib.errors import AutoDiscoverFailed, ErrorNonExistentMailbox

from app.formats import autodiscover

NS = "{http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a}"
MOBILESYNC_NS = "{http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006}"


def request_body(address="jane@example.com", schema=autodiscover.OUTLOOK_SCHEMA):
    return (f'<?xml version="1.0"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/'
            f'autodiscover/outlook/requestschema/2006"><Request><EMailAddress>{address}</EMailAddress>'
            f'<AcceptableResponseSchema>{schema}</AcceptableResponseSchema></Request></Autodiscover>').encode()


def test_parse_request_reads_exchangelib_payload():
    asked = autodiscover.parse_request(Autodiscover.payload("jane@example.com"))
    assert asked == autodiscover.AutodiscoverRequest("jane@example.com", autodiscover.OUTLOOK_SCHEMA)


def test_parse_request_accepts_missing_namespace_and_schema():
    body = b"<Autodiscover><Request><EMailAddress>jane@example.com</EMailAddress></Request></Autodiscover>"
    assert autodiscover.parse_request(body).schema == autodiscover.OUTLOOK_SCHEMA


BILLION_LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<Autodiscover><Request><EMailAddress>&lol2;</EMailAddress></Request></Autodiscover>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<Autodiscover><Request><EMailAddress>&x;</EMailAddress></Request></Autodiscover>"""


@pytest.mark.parametrize("body", [
    b"", b"   ", b"not xml", b"<Autodiscover>", BILLION_LAUGHS, EXTERNAL_ENTITY,
    b'<!DOCTYPE Autodiscover><Autodiscover/>',
    b"<Autodiscover><Request><EMailAddress></EMailAddress></Request></Autodiscover>",
    b"<Other><Request><EMailAddress>a@example.com</EMailAddress></Request></Other>",
    "<Autodiscover>\udcff</Autodiscover>".encode("utf-8", "surrogatepass"),
])
def test_parse_request_refuses_junk_dtds_and_entities(body):
    with pytest.raises(autodiscover.InvalidRequest):
        autodiscover.parse_request(body)


def test_outlook_response_is_read_by_exchangelib(settings):
    body = autodiscover.outlook_response(settings, settings.domain("example.com"), "jane@example.com")
    parsed = Autodiscover.from_bytes(body)
    parsed.raise_errors()
    assert parsed.response.autodiscover_smtp_address == "jane@example.com"
    protocols = parsed.response.account.protocols
    assert [(p.type, p.server, p.port, p.ssl, p.spa, p.auth_required, p.login_name) for p in protocols] == [
        ("IMAP", "my.example.com", 993, True, False, True, "jane@example.com"),
        ("SMTP", "my.example.com", 587, True, False, True, "jane@example.com"),
    ]


def test_every_protocol_says_both_ssl_and_encryption(make_settings, config_file):
    settings = make_settings(config_file(
        "services.pop3.enabled = true\nservices.submissions.enabled = true\n"))
    body = autodiscover.outlook_response(settings, settings.domain("example.com"), "jane@example.com")
    protocols = fromstring(body).iter(f"{NS}Protocol")
    assert [(p.findtext(f"{NS}Type"), p.findtext(f"{NS}Port"), p.findtext(f"{NS}SSL"),
             p.findtext(f"{NS}Encryption"), p.findtext(f"{NS}SPA")) for p in protocols] == [
        ("IMAP", "993", "on", "SSL", "off"),
        ("POP3", "995", "on", "SSL", "off"),
        ("SMTP", "465", "on", "SSL", "off"),
        ("SMTP", "587", "on", "TLS", "off"),
    ]


@pytest.mark.parametrize("code, message", [(600, "Invalid Request"), (601, "Provider is not available")])
def test_error_responses_are_read_by_exchangelib(code, message):
    parsed = Autodiscover.from_bytes(autodiscover.error_response(code))
    assert parsed.response is None
    assert (parsed.error_response.error.code, parsed.error_response.error.message) == (str(code), message)
    with pytest.raises(AutoDiscoverFailed, match=str(code)):
        parsed.raise_errors()


def test_unknown_address_error_is_recognised_as_such_by_exchangelib():
    parsed = Autodiscover.from_bytes(autodiscover.error_response(autodiscover.NO_SUCH_ADDRESS))
    with pytest.raises(ErrorNonExistentMailbox):
        parsed.raise_errors()


def test_each_error_has_its_own_id_and_a_time():
    errors = [Autodiscover.from_bytes(autodiscover.error_response(600)).error_response.error
              for _ in range(5)]
    assert len({e.id for e in errors}) == 5
    assert all(len(e.time.split(":")) == 3 for e in errors)


def test_mobilesync_answer_says_activesync_is_not_offered():
    root = fromstring(autodiscover.mobilesync_response("jane@example.com"))
    response = root.find(f"{MOBILESYNC_NS}Response")
    assert response.findtext(f"{MOBILESYNC_NS}User/{MOBILESYNC_NS}EMailAddress") == "jane@example.com"
    error = response.find(f"{MOBILESYNC_NS}Action/{MOBILESYNC_NS}Error")
    assert "ActiveSync is not offered" in error.findtext(f"{MOBILESYNC_NS}Message")
    assert error.findtext(f"{MOBILESYNC_NS}Status") == "2"


def test_v1_url_prefers_the_autodiscover_location(settings):
    domain = settings.domain("example.org")
    assert autodiscover.v1_url(domain, settings.locations, "other.example") == \
        "https://autodiscover.example.org/autodiscover/autodiscover.xml"
    idn = settings.domain("xn--bcher-kva.example")
    assert autodiscover.v1_url(idn, settings.locations, "mailconfig.example.com") == \
        "https://mailconfig.example.com/autodiscover/autodiscover.xml"


def test_json_bodies():
    assert json.loads(autodiscover.json_redirect("https://x/y")) == {"Protocol": "AutodiscoverV1", "Url": "https://x/y"}
    assert json.loads(autodiscover.json_error("InvalidProtocol", "no")) == {
        "ErrorCode": "InvalidProtocol", "ErrorMessage": "no"}
