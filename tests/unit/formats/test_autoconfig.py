"""The autoconfig document against the published schema and strict clients' rules."""
from pathlib import Path

import pytest
from defusedxml.ElementTree import fromstring
from lxml import etree

from app.formats.autoconfig import document

SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "autoconfig" / "autoconfig.rng"


@pytest.fixture(scope="module")
def relaxng():
    return etree.RelaxNG(etree.parse(str(SCHEMA)))


def render(settings, name="example.com", url="https://autoconfig.example.com/"):
    return document(settings, settings.domain(name), url)


def test_document_validates_against_published_relaxng(settings, relaxng):
    tree = etree.fromstring(render(settings))
    assert relaxng.validate(tree), relaxng.error_log


def test_document_follows_strict_client_rules(settings):
    root = fromstring(render(settings))
    provider = root.find("emailProvider")
    assert root.get("version") == "1.1"
    assert provider.get("id") == "example.com"
    assert [d.text for d in provider.findall("domain")] == ["example.com"]
    assert provider.findtext("displayName") == "example.com"
    servers = provider.findall("incomingServer") + provider.findall("outgoingServer")
    assert [(s.get("type"), s.findtext("port"), s.findtext("socketType")) for s in servers] == [
        ("imap", "993", "SSL"), ("smtp", "587", "STARTTLS")]
    for server in servers:
        assert server.findtext("hostname") == "my.example.com"
        assert server.findtext("username") == "%EMAILADDRESS%"
        assert server.findtext("authentication") == "password-cleartext"
    assert provider.find("documentation").get("url") == "https://autoconfig.example.com/"


def test_implicit_tls_comes_first_and_plain_never_appears(make_settings, config_file):
    settings = make_settings(config_file(
        "services.pop3.enabled = true\nservices.submissions.enabled = true\n"))
    provider = fromstring(render(settings)).find("emailProvider")
    assert [(s.get("type"), s.findtext("socketType")) for s in provider.findall("incomingServer")] == [
        ("imap", "SSL"), ("pop3", "SSL")]
    assert [(s.findtext("port"), s.findtext("socketType")) for s in provider.findall("outgoingServer")] == [
        ("465", "SSL"), ("587", "STARTTLS")]
    assert b"plain" not in render(settings).replace(b"password-cleartext", b"")


def test_idn_domain_is_listed_in_both_spellings(settings):
    provider = fromstring(render(settings, "xn--bcher-kva.example")).find("emailProvider")
    assert provider.get("id") == "xn--bcher-kva.example"
    assert [d.text for d in provider.findall("domain")] == ["xn--bcher-kva.example", "bücher.example"]


def test_admin_strings_are_escaped_and_links_configurable(make_settings, config_file):
    settings = make_settings(config_file(
        'webmail_url = "https://webmail.example.com/?a=1&b=2"\n'
        'documentation_url = "https://wiki.example.com/mail"\n'
        '[display_names]\n"example.com" = "Tom & Jerry <Mail>"\n'))
    root = fromstring(render(settings))
    assert root.find("emailProvider").findtext("displayName") == "Tom & Jerry <Mail>"
    assert root.find("webMail/loginPage").get("url") == "https://webmail.example.com/?a=1&b=2"
    assert root.find("emailProvider/documentation").get("url") == "https://wiki.example.com/mail"
