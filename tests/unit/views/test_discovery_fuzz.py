"""Property-based junk at every endpoint: never a 500, never an unescaped echo."""

import json
import re
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from lxml import html
from markupsafe import escape

from app import create_app
from support.inputs import pox_request

ENDPOINTS = [
    "/mail/config-v1.1.xml",
    "/.well-known/autoconfig/mail/config-v1.1.xml",
    "/autodiscover/autodiscover.xml",
    "/Autodiscover/Autodiscover.xml",
    "/autodiscover/autodiscover.json",
    "/autodiscover/autodiscover.json/v1.0/",
    "/healthz",
    "/",
    "/mobileconfig",
    "/.well-known/user-agent-configuration.json",
]
# Markup that would be dangerous if it came back unescaped.
MARKUP = st.sampled_from(["<script>x</script>", '"><img src=x>', "]]><x/>", "&lt;", "<!--", "'\""])
JUNK = st.one_of(st.text(max_size=80), MARKUP, st.builds(lambda a, b: a + b, MARKUP, st.just("@example.com")))
HOSTS = st.one_of(
    st.sampled_from(
        [
            "autoconfig.example.com",
            "autodiscover.example.org",
            "xn--bcher-kva.example",
            "ua-auto-config.example.com",
            "[::1]:80",
            "",
        ]
    ),
    st.text(alphabet=string.printable, max_size=40),
)


@pytest.fixture(params=["mail only", "with DAV"])
def settings(request, make_settings, config_file):
    """Every endpoint fuzzed without and with calendars and contacts, whose
    login slot takes the part of the address before "@"."""
    from tests.dav import DAV_TOML

    return make_settings(config_file(DAV_TOML) if request.param == "with DAV" else None)


common = hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


# Every tag and attribute the app's own templates write (read from them, so a
# new page needs no list here), plus what inline SVG QR codes and attributes
# set from code add: anything else in a page was injected.
_TEMPLATES = re.sub(
    r"{[{%].*?[%}]}",
    " ",
    "".join(p.read_text() for p in (Path(__file__).parents[3] / "app").glob("**/templates/*.html")),
    flags=re.S,
)
PAGE_TAGS = set(re.findall(r"<([a-z][a-z0-9]*)", _TEMPLATES)) | {"svg", "g", "path"}
PAGE_ATTRIBUTES = {
    name for tag in re.findall(r"<[a-z][^>]*>", _TEMPLATES) for name in re.findall(r"\s([a-z][a-z-]*)(?=[=\s>/])", tag)
} | {"aria-invalid", "width", "height", "transform", "fill", "d", "stroke", "viewbox", "xmlns"}


def assert_no_markup_injected(body):
    """In HTML, input shows up escaped (`<` as `&lt;`), so a substring test
    cannot tell reflection from escaping: look for elements, comments or
    attributes the page does not have instead."""
    for element in html.fromstring(body).iter():
        assert isinstance(element.tag, str) and element.tag in PAGE_TAGS, element
        assert set(element.attrib) <= PAGE_ATTRIBUTES, element.attrib


def assert_safe(response, *inputs):
    assert response.status_code < 500, response.data[:300]
    assert response.status_code not in (301, 302, 303, 307, 308)
    if response.content_type.startswith("text/html") and response.data:
        assert_no_markup_injected(response.data)
        return
    # An escaped echo ("a&b" as "a&amp;b") contains the raw text: drop the
    # escaped forms first, then nothing raw may be left.
    body = response.data
    for value in inputs:
        body = body.replace(str(escape(value)).encode("utf-8", "surrogatepass"), b"")
    for value in inputs:
        if any(c in value for c in "<>\"'&") and len(value) > 2:
            assert value.encode("utf-8", "surrogatepass") not in body


@common
@given(
    path=st.sampled_from(ENDPOINTS),
    suffix=JUNK,
    query=st.dictionaries(JUNK, JUNK, max_size=4),
    host=HOSTS,
    method=st.sampled_from(["GET", "POST", "HEAD", "OPTIONS"]),
)
def test_junk_paths_queries_and_hosts(app, path, suffix, query, host, method):
    target = path + suffix.replace("?", "").replace("#", "")
    # Flask's test client reads a leading "//" as a host name, not a path.
    assume(not target.startswith("//"))
    client = app.test_client()
    headers = {"Host": host} if all(32 < ord(c) < 127 for c in host) else {}
    response = client.open(target, method=method, query_string=query, headers=headers)
    assert_safe(response, suffix, host, *query.keys(), *query.values())


@common
@given(
    address=JUNK,
    schema=st.one_of(
        JUNK,
        st.sampled_from(
            [
                "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a",
                "http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006",
            ]
        ),
    ),
)
def test_junk_inside_well_formed_autodiscover_requests(app, address, schema):
    from xml.sax.saxutils import escape

    body = (
        f"<Autodiscover><Request><EMailAddress>{escape(address)}</EMailAddress>"
        f"<AcceptableResponseSchema>{escape(schema)}</AcceptableResponseSchema>"
        f"</Request></Autodiscover>"
    ).encode("utf-8", "surrogatepass")
    response = app.test_client().post("/autodiscover/autodiscover.xml", data=body)
    assert response.status_code == 200
    assert_safe(response, address, schema)


@common
@given(
    body=st.one_of(
        st.binary(max_size=300),
        st.text(max_size=300).map(lambda t: t.encode("utf-16") if len(t) % 2 else t.encode("latin-1", "replace")),
    ),
    content_type=st.sampled_from(
        [
            "text/xml",
            "application/json",
            "multipart/form-data; boundary=x",
            "application/x-www-form-urlencoded",
            "text/xml; charset=ebcdic",
        ]
    ),
)
def test_junk_bodies_and_encodings(app, body, content_type):
    client = app.test_client()
    for path in ["/autodiscover/autodiscover.xml", "/mail/config-v1.1.xml", "/autodiscover/autodiscover.json"]:
        response = client.post(path, data=body, content_type=content_type)
        assert_safe(response)


# Every shape a Host can take: autoconfig./autodiscover./bare, served or not,
# Unicode or punycode, with a port, and junk.
HOST_SHAPES = st.one_of(
    HOSTS,
    st.builds(
        lambda prefix, domain, port: prefix + domain + port,
        st.sampled_from(["", "autoconfig.", "autodiscover.", "AutoDiscover.", "www."]),
        st.sampled_from(
            ["example.com", "example.org", "xn--bcher-kva.example", "example.net", "mailconfig.example.com"]
        ),
        st.sampled_from(["", ":443", ":8000", ":", ":x"]),
    ),
)


@common
@given(host=HOST_SHAPES, method=st.sampled_from(["GET", "POST"]), body=st.sampled_from([b"", b" ", b"\r\n"]))
def test_autodiscover_without_a_body_on_every_host_shape(app, host, method, body):
    headers = {"Host": host} if all(32 < ord(c) < 127 for c in host) else {}
    response = app.test_client().open("/autodiscover/autodiscover.xml", method=method, data=body, headers=headers)
    assert_safe(response, host)
    # Settings, or a refusal that is not 2xx (so Delta Chat moves on): never an Autodiscover error.
    # (400: a Host that is no host name at all, refused by Werkzeug.)
    assert response.status_code in (200, 400, 404)
    if response.status_code == 200:
        assert b"<Protocol>" in response.data


@common
@given(
    encoding=st.one_of(
        st.text(alphabet=string.ascii_letters + string.digits + "-_.:", max_size=20), st.text(max_size=20)
    ),
    quote=st.sampled_from(['"', "'"]),
)
def test_xml_declarations_with_any_encoding_name(app, encoding, quote):
    declaration = f"<?xml version={quote}1.0{quote} encoding={quote}{encoding}{quote}?>"
    body = declaration.encode("utf-8", "surrogatepass") + pox_request().split(b"?>", 1)[1]
    response = app.test_client().post("/autodiscover/autodiscover.xml", data=body)
    assert response.status_code == 200
    assert_safe(response, encoding)


@common
@given(
    path=st.sampled_from(["/", "/mobileconfig"]),
    query=st.dictionaries(st.sampled_from(["emailaddress", "domain", "lang"]), JUNK, max_size=3),
    host=HOSTS,
    language=st.one_of(st.text(max_size=30), st.sampled_from(["fr", "fr-CA,en;q=0.5", "*", "en;q=x"])),
)
def test_junk_in_the_setup_page_and_profile_parameters(app, path, query, host, language):
    headers = {"Host": host} if all(32 < ord(c) < 127 for c in host) else {}
    if all(32 <= ord(c) < 127 for c in language):
        headers["Accept-Language"] = language
    response = app.test_client().get(path, query_string=query, headers=headers)
    assert_safe(response, *query.values())
    assert response.content_type.startswith(("text/html", "text/plain", "application/x-apple-aspen-config"))


@pytest.fixture
def pacc_app(make_settings, config_file):
    settings = make_settings(config_file("[services.submissions]\nenabled = true\n"))
    return create_app({"SETTINGS": settings, "TESTING": True})


@common
@given(host=HOSTS, suffix=st.one_of(st.just(""), JUNK), query=st.dictionaries(JUNK, JUNK, max_size=3))
def test_junk_hosts_and_paths_at_the_pacc_document(pacc_app, host, suffix, query):
    headers = {"Host": host} if all(32 < ord(c) < 127 for c in host) else {}
    path = "/.well-known/user-agent-configuration.json" + suffix.replace("?", "").replace("#", "")
    response = pacc_app.test_client().get(path, query_string=query, headers=headers)
    assert_safe(response, suffix, host, *query.keys(), *query.values())
    # Only the one document per served domain, whatever else the request
    # carries (Werkzeug answers 400 itself to a Host header it cannot read).
    assert response.status_code in (200, 400, 404)
    if response.status_code == 200:
        assert response.content_type == "application/json"
        assert json.loads(response.data)["info"]["help"]["documentation"] == f"https://{host.lower()}/"
