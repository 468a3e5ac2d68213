"""Every discovery endpoint through Flask's test client, as clients call them."""

import json

import pytest
from defusedxml.ElementTree import fromstring
from exchangelib.autodiscover.properties import Autodiscover

from support.inputs import pox_request

AUTOCONFIG_PATHS = ["/mail/config-v1.1.xml", "/.well-known/autoconfig/mail/config-v1.1.xml"]
POX_PATHS = [
    "/autodiscover/autodiscover.xml",
    "/Autodiscover/Autodiscover.xml",
    "/AutoDiscover/AutoDiscover.xml",
    "/AUTODISCOVER/AUTODISCOVER.XML",
]


def provider_id(response):
    return fromstring(response.data).find("emailProvider").get("id")


@pytest.mark.parametrize("path", AUTOCONFIG_PATHS)
def test_autoconfig_domain_comes_from_the_address(client, path):
    # The MX-based lookup asks autoconfig.example.com about another domain.
    response = client.get(
        path, query_string={"emailaddress": "jane@example.org"}, headers={"Host": "autoconfig.example.com"}
    )
    assert response.status_code == 200
    assert response.content_type == "application/xml; charset=utf-8"
    assert provider_id(response) == "example.org"


@pytest.mark.parametrize(
    "host, domain",
    [
        ("autoconfig.example.org", "example.org"),
        ("autodiscover.example.com:8443", "example.com"),
        ("example.com", "example.com"),
        ("autoconfig.bücher.example".encode("idna").decode(), "xn--bcher-kva.example"),
    ],
)
def test_autoconfig_without_address_uses_the_host(client, host, domain):
    response = client.get("/mail/config-v1.1.xml", headers={"Host": host})
    assert response.status_code == 200
    assert provider_id(response) == domain
    assert b"%EMAILADDRESS%" in response.data


def test_autoconfig_for_evolution_style_request(client):
    response = client.get(
        "/mail/config-v1.1.xml?emailaddress=EVOLUTIONUSER%40example.com&emailmd5=abc",
        headers={"Host": "autoconfig.example.com"},
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "query, host, status",
    [
        ({"emailaddress": "jane@example.net"}, "autoconfig.example.com", 404),
        ({}, "autoconfig.example.net", 404),
        ({}, "mailconfig.example.com", 404),
        ({"emailaddress": "not-an-address"}, "autoconfig.example.com", 400),
    ],
)
def test_autoconfig_refuses_unknown_domains_and_bad_addresses(client, query, host, status):
    response = client.get("/mail/config-v1.1.xml", query_string=query, headers={"Host": host})
    assert response.status_code == status
    assert response.content_type == "text/plain; charset=utf-8"


def test_autoconfig_is_the_same_for_every_mailbox(client):
    bodies = {
        client.get(
            "/mail/config-v1.1.xml", query_string={"emailaddress": a}, headers={"Host": "autoconfig.example.com"}
        ).data
        for a in ["jane@example.com", "nobody-here@example.com", "x@EXAMPLE.com"]
    }
    assert len(bodies) == 1


def test_documentation_link_follows_forwarded_host_with_https(client):
    response = client.get(
        "/mail/config-v1.1.xml",
        headers={"Host": "127.0.0.1:8000", "X-Forwarded-Host": "autoconfig.example.org", "X-Forwarded-Proto": "http"},
    )
    doc = fromstring(response.data).find("emailProvider/documentation")
    # On Cloudron every location has a certificate: links are https.
    assert doc.get("url") == "https://autoconfig.example.org/"


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": "evil.example"},
        {"Host": "autoconfig.example.com", "X-Forwarded-Host": "evil.example"},
        {"Host": "autoconfig.example.com", "X-Forwarded-Host": "autoconfig.example.net"},
        {"Host": "example.com"},  # a mail domain, but not one of the app's locations
    ],
)
def test_documentation_link_never_points_at_a_host_that_is_not_ours(client, headers):
    response = client.get("/mail/config-v1.1.xml?emailaddress=a@example.org", headers=headers)
    url = fromstring(response.data).find("emailProvider/documentation").get("url")
    assert url == "https://mailconfig.example.com/?domain=example.org"


def test_documentation_link_names_the_domain_when_host_is_another(client):
    response = client.get(
        "/mail/config-v1.1.xml?emailaddress=a@example.org", headers={"Host": "autoconfig.example.com"}
    )
    doc = fromstring(response.data).find("emailProvider/documentation")
    assert doc.get("url") == "https://autoconfig.example.com/?domain=example.org"


@pytest.mark.parametrize("path", POX_PATHS)
def test_pox_settings_in_every_path_casing(client, path):
    response = client.post(path, data=Autodiscover.payload("jane@example.com"), content_type="text/xml")
    assert response.status_code == 200
    assert response.content_type == "text/xml; charset=utf-8"
    parsed = Autodiscover.from_bytes(response.data)
    parsed.raise_errors()
    assert [p.type for p in parsed.response.account.protocols] == ["IMAP", "SMTP"]


def test_pox_answers_a_get_with_a_body_and_ignores_credentials(client):
    response = client.open(
        "/autodiscover/autodiscover.xml",
        method="GET",
        data=Autodiscover.payload("jane@example.com"),
        headers={"Authorization": "Basic amFuZTpzZWNyZXQ="},
    )
    Autodiscover.from_bytes(response.data).raise_errors()


def error_code(response):
    assert response.status_code == 200
    return Autodiscover.from_bytes(response.data).error_response.error.code


@pytest.mark.parametrize(
    "body", [b"junk", b"<Autodiscover/>", b'<!DOCTYPE x [<!ENTITY a "b">]><Autodiscover>&a;</Autodiscover>']
)
def test_pox_bad_requests_get_error_600(client, body):
    assert error_code(client.post("/autodiscover/autodiscover.xml", data=body)) == "600"


# Unknown codecs, and codecs that are not text encodings: the parser raises
# LookupError for each, which used to escape as a 500 with a traceback.
@pytest.mark.parametrize("encoding", ["x-nope", "rot13", "base64", "hex", "bz2", "zlib", "uu", "utf-7", "idna"])
def test_pox_body_declaring_a_bad_encoding_gets_error_600(client, encoding):
    body = pox_request().replace(b'encoding="utf-8"', f'encoding="{encoding}"'.encode())
    assert error_code(client.post("/autodiscover/autodiscover.xml", data=body)) == "600"


SERVED_HOSTS = [
    ("autodiscover.example.com", "example.com"),
    ("autoconfig.example.org", "example.org"),
    ("example.com:443", "example.com"),
    ("Autodiscover.XN--BCHER-KVA.example", "xn--bcher-kva.example"),
]


def pox_without_body(client, method, host):
    # Delta Chat's request: a GET with no body and no Content-Type.
    return client.open("/autodiscover/autodiscover.xml", method=method, headers={"Host": host})


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("host, domain", SERVED_HOSTS)
def test_pox_without_body_gets_the_settings_of_the_domain_the_host_names(client, method, host, domain):
    response = pox_without_body(client, method, host)
    assert response.status_code == 200
    assert response.content_type == "text/xml; charset=utf-8"
    parsed = Autodiscover.from_bytes(response.data)
    parsed.raise_errors()
    protocols = parsed.response.account.protocols
    assert [(p.type, p.server, p.port, p.ssl) for p in protocols] == [
        ("IMAP", "my.example.com", 993, True),
        ("SMTP", "my.example.com", 587, True),
    ]
    # No address is known, so no login name: the client uses the address it has.
    assert [p.login_name for p in protocols] == [None, None]
    assert b"LoginName" not in response.data


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize(
    "host", ["example.net", "autodiscover.example.net", "mailconfig.example.com", "127.0.0.1:8000"]
)
def test_pox_without_body_on_a_host_naming_no_served_domain_is_404(client, method, host):
    response = pox_without_body(client, method, host)
    # Not a 200 carrying an error: Delta Chat stops at any 2xx XML answer.
    assert response.status_code == 404
    assert response.content_type == "text/plain; charset=utf-8"


def test_pox_malformed_address_gets_error_600(client):
    body = Autodiscover.payload("not an address")
    assert error_code(client.post("/autodiscover/autodiscover.xml", data=body)) == "600"


def test_pox_unknown_schema_gets_error_601(client):
    body = Autodiscover.payload("jane@example.com").replace(b"outlook/responseschema/2006a", b"other/2009")
    assert error_code(client.post("/autodiscover/autodiscover.xml", data=body)) == "601"


def test_pox_unknown_domain_gets_an_error_not_another_domains_settings(client):
    response = client.post(
        "/autodiscover/autodiscover.xml",
        data=Autodiscover.payload("jane@example.net"),
        headers={"Host": "autodiscover.example.com"},
    )
    assert error_code(response) == "500"
    assert b"my.example.com" not in response.data


def test_pox_mobilesync_request_gets_mobilesync_answer(client):
    body = Autodiscover.payload("jane@example.com").replace(
        b"outlook/responseschema/2006a", b"mobilesync/responseschema/2006"
    )
    response = client.post("/autodiscover/autodiscover.xml", data=body)
    assert response.status_code == 200
    assert b"mobilesync/responseschema/2006" in response.data
    assert b"ActiveSync is not offered" in response.data


@pytest.mark.parametrize("address", ["jane\r\nX-Evil: 1@example.com", "&lt;b&gt;" * 1500, "not an address"])
def test_pox_mobilesync_answer_echoes_no_unvalidated_address(client, address):
    body = Autodiscover.payload("ADDRESS").replace(b"outlook/responseschema/2006a", b"mobilesync/responseschema/2006")
    response = client.post("/autodiscover/autodiscover.xml", data=body.replace(b"ADDRESS", address.encode()))
    assert b"ActiveSync is not offered" in response.data
    assert b"EMailAddress" not in response.data
    assert len(response.data) < 1024


def test_pox_mobilesync_answer_echoes_the_address_normalised(client):
    body = Autodiscover.payload("Jane@Example.COM").replace(
        b"outlook/responseschema/2006a", b"mobilesync/responseschema/2006"
    )
    response = client.post("/autodiscover/autodiscover.xml", data=body)
    assert b"<EMailAddress>Jane@example.com</EMailAddress>" in response.data


def test_pox_echoed_address_is_escaped(client):
    body = Autodiscover.payload("a&b@example.com")
    response = client.post("/autodiscover/autodiscover.xml", data=body)
    assert b"a&amp;b@example.com" in response.data
    parsed = Autodiscover.from_bytes(response.data)
    assert parsed.response.account.protocols[0].login_name == "a&b@example.com"


def test_pox_oversized_body_is_refused_with_413(client):
    body = Autodiscover.payload("jane@example.com") + b" " * 20000
    assert client.post("/autodiscover/autodiscover.xml", data=body).status_code == 413


def test_pox_same_answer_for_existing_and_unknown_mailbox(client):
    def ask(address):
        data = client.post("/autodiscover/autodiscover.xml", data=Autodiscover.payload(address)).data
        return data.replace(address.encode(), b"ADDRESS")

    assert ask("jane@example.com") == ask("nobody-at-all@example.com")


@pytest.mark.parametrize(
    "url",
    [
        "/autodiscover/autodiscover.json?Email=jane@example.org&Protocol=AutodiscoverV1&RedirectCount=1",
        "/autodiscover/autodiscover.json?email=jane@example.org&protocol=autodiscoverv1",
        "/Autodiscover/Autodiscover.json/v1.0/jane@example.org?Protocol=Autodiscoverv1",
        "/autodiscover/autodiscover.json/V1.0/jane%40example.org?PROTOCOL=AUTODISCOVERV1",
    ],
)
def test_json_v2_points_outlook_at_the_pox_endpoint(client, url):
    response = client.get(url, headers={"Host": "autodiscover.example.org"})
    assert response.status_code == 200
    assert response.content_type == "application/json; charset=utf-8"
    assert response.json == {
        "Protocol": "AutodiscoverV1",
        "Url": "https://autodiscover.example.org/autodiscover/autodiscover.xml",
    }


@pytest.mark.parametrize(
    "url, status, code",
    [
        ("/autodiscover/autodiscover.json?Email=jane@example.org&Protocol=ActiveSync", 400, "InvalidProtocol"),
        ("/autodiscover/autodiscover.json?Email=jane@example.org&Protocol=Ews", 400, "InvalidProtocol"),
        ("/autodiscover/autodiscover.json?Email=jane@example.org", 400, "InvalidProtocol"),
        ("/autodiscover/autodiscover.json/v1.0/jane@example.org?Protocol=Rest", 400, "InvalidProtocol"),
        ("/autodiscover/autodiscover.json?Email=junk&Protocol=AutodiscoverV1", 400, "InvalidEmailAddress"),
        ("/autodiscover/autodiscover.json?Email=jane@example.net&Protocol=AutodiscoverV1", 404, "DomainNotFound"),
        ("/autodiscover/autodiscover.json/v2.0/jane@example.org?Protocol=AutodiscoverV1", 404, "NotFound"),
    ],
)
def test_json_v2_errors(client, url, status, code):
    response = client.get(url)
    assert response.status_code == status
    assert json.loads(response.data)["ErrorCode"] == code


@pytest.mark.parametrize("host", ["mailconfig.example.com", "unknown.invalid", "[::1]", "bad host"])
def test_health_is_200_whatever_the_host(client, host):
    response = client.get("/healthz", headers={"Host": host})
    assert (response.status_code, response.data) == (200, b"ok\n")


def test_unknown_paths_get_a_short_404_without_echo(client):
    response = client.get("/<script>alert(1)</script>")
    assert response.status_code == 404
    assert b"script" not in response.data
    assert response.content_type == "text/plain; charset=utf-8"


@pytest.mark.parametrize(
    "method, path",
    [("POST", "/mail/config-v1.1.xml"), ("DELETE", "/healthz"), ("PUT", "/autodiscover/autodiscover.xml")],
)
def test_wrong_methods_get_405(client, method, path):
    assert client.open(path, method=method).status_code == 405


def test_no_endpoint_redirects(client):
    for path in [
        "/mail/config-v1.1.xml",
        "/autodiscover/autodiscover.xml",
        "/healthz",
        "/autodiscover/autodiscover.json?Email=a@example.com&Protocol=AutodiscoverV1",
    ]:
        for proto in ("http", "https"):
            response = client.get(path, headers={"Host": "autoconfig.example.com", "X-Forwarded-Proto": proto})
            assert response.status_code < 300, (path, proto)


@pytest.mark.parametrize("path", ["//", "/healthz/", "//mail/config-v1.1.xml", "/admin/", "/mobileconfig/"])
def test_odd_slashes_never_redirect(client, path):
    assert client.get(path, headers={"Host": "autoconfig.example.com"}).status_code not in (301, 302, 307, 308)
