"""Calendars and contacts (CalDAV, CardDAV) in every format, and nothing
changed for a domain without them."""

import plistlib
from pathlib import Path

import pytest
from defusedxml.ElementTree import fromstring
from exchangelib.autodiscover.properties import Autodiscover
from lxml import etree

from app.documents import Documents
from app.formats import autoconfig, mobileconfig
from app.signing import load_signer
from tests.dav import DAV_TOML
from tests.pki import cms_verify
from tests.unit.formats.test_autoconfig import SCHEMA
from tests.unit.formats.test_mobileconfig import assert_follows, schema

UNCHANGED = Path(__file__).parent / "unchanged"
ADDRESS = "jane.doe@example.com"


@pytest.fixture
def dav_settings(make_settings, config_file):
    return make_settings(config_file(DAV_TOML))


def documents(settings, name):
    """What a client of `name` gets, as the running app renders it."""
    domain, docs = settings.domain(name), Documents(settings)
    address = f"jane.doe@{name}"
    return {
        f"{name}.autoconfig.xml": docs.autoconfig(domain, f"https://autoconfig.{name}/?domain={name}"),
        f"{name}.autodiscover.xml": docs.outlook(domain, address),
        f"{name}.mobileconfig": mobileconfig.profile(settings, domain, address),
    }


@pytest.mark.parametrize("name", ["example.com", "xn--bcher-kva.example"])
def test_without_dav_every_document_is_byte_for_byte_what_it_was(settings, make_settings, config_file, name):
    # unchanged/ holds the documents as the app rendered them before DAV existed.
    for filename, body in documents(settings, name).items():
        assert body == (UNCHANGED / filename).read_bytes(), filename
    # DAV for another domain only changes nothing here either.
    other_only = make_settings(
        config_file(
            '[dav.domains."example.org"]\ncaldav_url = "https://d.example.org/"\ncarddav_url = "https://d.example.org/"\n'
        )
    )
    for filename, body in documents(other_only, name).items():
        assert body == (UNCHANGED / filename).read_bytes(), filename


def mail_servers(document):
    """What Thunderbird's reader takes from a document: emailProvider's
    incoming and outgoing servers, every child, nothing else."""
    provider = fromstring(document).find("emailProvider")
    return [
        (server.tag, server.get("type"), [(child.tag, child.text) for child in server])
        for server in provider
        if server.tag in ("incomingServer", "outgoingServer")
    ]


def test_autoconfig_carries_the_drafts_calendar_and_addressbook_and_the_same_mail(dav_settings, settings):
    body = documents(dav_settings, "example.com")["example.com.autoconfig.xml"]
    relaxng = etree.RelaxNG(etree.parse(str(SCHEMA)))
    assert relaxng.validate(etree.fromstring(body)), relaxng.error_log
    root = fromstring(body)
    assert [child.tag for child in root] == ["emailProvider", "calendar", "addressbook"]
    for tag, kind in (("calendar", "caldav"), ("addressbook", "carddav")):
        element = root.find(tag)
        assert element.get("type") == kind
        assert element.findtext("url") == "https://cloud.example.com/remote.php/dav/"
        assert element.find("authentication").get("system") == "http"
        assert element.findtext("authentication") == "Basic"
        assert element.findtext("username") == "%EMAILLOCALPART%"
    assert mail_servers(body) == mail_servers(documents(settings, "example.com")["example.com.autoconfig.xml"])


@pytest.mark.parametrize(
    "login, autoconfig_username, profile_username",
    [("address", "%EMAILADDRESS%", ADDRESS), ("localpart", "%EMAILLOCALPART%", "jane.doe"), ("none", None, None)],
)
def test_the_published_login_follows_the_chosen_mode(
    make_settings, config_file, login, autoconfig_username, profile_username
):
    settings = make_settings(
        config_file(
            f'[dav]\ncaldav_url = "https://c.example.com/"\ncarddav_url = "https://c.example.com/"\nlogin = "{login}"\n'
        )
    )
    docs = documents(settings, "example.com")
    root = fromstring(docs["example.com.autoconfig.xml"])
    assert root.find("calendar").findtext("username") == autoconfig_username
    _, caldav, carddav = plistlib.loads(docs["example.com.mobileconfig"])["PayloadContent"]
    assert caldav.get("CalDAVUsername") == profile_username
    assert carddav.get("CardDAVUsername") == profile_username
    protocols = Autodiscover.from_bytes(docs["example.com.autodiscover.xml"]).response.account.protocols
    assert [p.login_name for p in protocols[-2:]] == [profile_username, profile_username]


def test_profile_has_three_payloads_each_following_apples_schema(dav_settings):
    top = plistlib.loads(documents(dav_settings, "example.org")["example.org.mobileconfig"])
    mail, caldav, carddav = top["PayloadContent"]
    assert_follows(caldav, schema("CommonPayloadKeys", "com.apple.caldav.account"))
    assert_follows(carddav, schema("CommonPayloadKeys", "com.apple.carddav.account"))
    assert (caldav["PayloadType"], carddav["PayloadType"]) == ("com.apple.caldav.account", "com.apple.carddav.account")
    for prefix, payload in (("CalDAV", caldav), ("CardDAV", carddav)):
        assert payload[f"{prefix}HostName"] == "dav.example.org"
        assert payload[f"{prefix}Port"] == 8443
        assert payload[f"{prefix}UseSSL"] is True
        assert payload[f"{prefix}PrincipalURL"] == "https://dav.example.org:8443/"
        assert payload[f"{prefix}Username"] == "jane.doe@example.org"
        assert f"{prefix}Password" not in payload
    uuids = [p["PayloadUUID"] for p in top["PayloadContent"]] + [top["PayloadUUID"]]
    assert len(set(uuids)) == 4


def test_reinstalling_replaces_the_dav_accounts_instead_of_adding_new_ones(dav_settings):
    def ids(address):
        top = plistlib.loads(mobileconfig.profile(dav_settings, dav_settings.domain("example.com"), address))
        return [(p["PayloadIdentifier"], p["PayloadUUID"]) for p in top["PayloadContent"]]

    assert ids(ADDRESS) == ids(ADDRESS)
    assert ids(ADDRESS)[1:] != ids("john@example.com")[1:]


def test_the_profile_with_dav_is_signed_like_today(dav_settings, test_ca, tmp_path):
    leaf = test_ca.issue(["mailconfig.example.com"], stem="dav-signing")
    content = mobileconfig.profile(dav_settings, dav_settings.domain("example.com"), ADDRESS)
    result = cms_verify(
        load_signer(str(leaf.cert), str(leaf.key), str(test_ca.root)).sign(content), test_ca.root, tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert len(plistlib.loads((tmp_path / "content").read_bytes())["PayloadContent"]) == 3


def test_exchangelib_reads_the_pox_response_with_mail_unchanged_and_dav_after_it(dav_settings, settings):
    def protocols(s):
        parsed = Autodiscover.from_bytes(Documents(s).outlook(s.domain("example.com"), ADDRESS))
        parsed.raise_errors()
        return [
            (p.type, p.server, p.port, p.ssl, p.auth_required, p.login_name) for p in parsed.response.account.protocols
        ]

    with_dav, without = protocols(dav_settings), protocols(settings)
    assert with_dav[:2] == without
    assert [(p[0], p[1], p[5]) for p in with_dav[2:]] == [
        ("CalDAV", "https://cloud.example.com/remote.php/dav/", "jane.doe"),
        ("CardDAV", "https://cloud.example.com/remote.php/dav/", "jane.doe"),
    ]


def test_escaping_holds_in_the_login_slot(dav_settings):
    body = Documents(dav_settings).outlook(dav_settings.domain("example.com"), "a&b@example.com")
    assert Autodiscover.from_bytes(body).response.account.protocols[-1].login_name == "a&b"
    assert (
        autoconfig.LOGIN_PLACEHOLDERS["localpart"]
        in documents(dav_settings, "example.com")["example.com.autoconfig.xml"].decode()
    )
