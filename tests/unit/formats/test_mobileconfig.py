"""The Apple profile against Apple's published payload schema and the devices' rules."""
import datetime
import plistlib
import re
import uuid
from pathlib import Path

import pytest
import yaml

from app.formats.mobileconfig import profile

SPEC = Path(__file__).resolve().parents[2] / "schemas" / "apple"
TYPES = {"<string>": str, "<integer>": int, "<boolean>": bool, "<array>": list,
         "<dictionary>": dict, "<data>": bytes, "<date>": datetime.datetime, "<real>": float}


def schema(*names):
    keys = {}
    for name in names:
        keys.update({k["key"]: k for k in yaml.safe_load((SPEC / f"{name}.yaml").read_text())["payloadkeys"]})
    return keys


def assert_follows(payload, keys):
    assert set(payload) <= set(keys), f"keys Apple does not define: {set(payload) - set(keys)}"
    for key, spec in keys.items():
        if spec.get("presence") == "required":
            assert key in payload, f"required key {key} missing"
    for key, value in payload.items():
        expected = TYPES[keys[key]["type"]]
        # bool is an int in Python, but <integer> and <boolean> differ in a plist.
        assert type(value) is expected, f"{key}: {type(value).__name__}, not {keys[key]['type']}"
        if "rangelist" in keys[key]:
            assert value in keys[key]["rangelist"], f"{key}: {value!r} not allowed"
        if "format" in keys[key]:
            assert re.fullmatch(keys[key]["format"], value)


def parse(settings, address="jane@example.com", name="example.com"):
    return plistlib.loads(profile(settings, settings.domain(name), address))


def test_profile_follows_apples_schema(settings):
    top = parse(settings)
    assert_follows(top, schema("TopLevel"))
    [account] = top["PayloadContent"]
    assert_follows(account, schema("CommonPayloadKeys", "com.apple.mail.managed"))
    assert account["PayloadType"] == "com.apple.mail.managed"


def test_default_profile_is_imap_993_and_smtp_587_without_password(settings):
    [account] = parse(settings)["PayloadContent"]
    assert {k: v for k, v in account.items() if not k.startswith("Payload")} == {
        "EmailAccountDescription": "example.com (jane@example.com)",
        "EmailAccountType": "EmailTypeIMAP",
        "EmailAddress": "jane@example.com",
        "IncomingMailServerHostName": "my.example.com",
        "IncomingMailServerPortNumber": 993,
        "IncomingMailServerUseSSL": True,
        "IncomingMailServerUsername": "jane@example.com",
        "IncomingMailServerAuthentication": "EmailAuthPassword",
        "OutgoingMailServerHostName": "my.example.com",
        "OutgoingMailServerPortNumber": 587,
        "OutgoingMailServerUseSSL": False,  # STARTTLS: the device negotiates it on 587
        "OutgoingMailServerUsername": "jane@example.com",
        "OutgoingMailServerAuthentication": "EmailAuthPassword",
        "OutgoingPasswordSameAsIncomingPassword": True,
    }


@pytest.mark.parametrize("config, kind, incoming, outgoing", [
    ("services.submissions.enabled = true\n", "EmailTypeIMAP", (993, True), (465, True)),
    # POP3 switched on alongside IMAP: IMAP stays the account type.
    ("services.pop3.enabled = true\n", "EmailTypeIMAP", (993, True), (587, False)),
    ("services.imap.enabled = false\nservices.pop3.enabled = true\n", "EmailTypePOP", (995, True), (587, False)),
    ('[services.imap]\nport = 143\ntls = "starttls"\n', "EmailTypeIMAP", (143, False), (587, False)),
])
def test_services_follow_the_admins_settings(make_settings, config_file, config, kind, incoming, outgoing):
    [account] = parse(make_settings(config_file(config)))["PayloadContent"]
    assert account["EmailAccountType"] == kind
    assert (account["IncomingMailServerPortNumber"], account["IncomingMailServerUseSSL"]) == incoming
    assert (account["OutgoingMailServerPortNumber"], account["OutgoingMailServerUseSSL"]) == outgoing


def test_identifiers_are_reverse_dns_and_uuids_stable_per_address(settings):
    first, again = parse(settings), parse(settings)
    other = parse(settings, "john@example.com")
    assert first == again
    assert first["PayloadIdentifier"].startswith("com.example.mail.")
    assert first["PayloadContent"][0]["PayloadIdentifier"].startswith(first["PayloadIdentifier"] + ".")
    uuids = {first["PayloadUUID"], first["PayloadContent"][0]["PayloadUUID"],
             other["PayloadUUID"], other["PayloadContent"][0]["PayloadUUID"]}
    assert len(uuids) == 4
    assert all(uuid.UUID(u) for u in uuids)
    # Same mailbox typed in another case: the same profile, so it replaces.
    assert parse(settings, "Jane@example.com")["PayloadUUID"] == first["PayloadUUID"]


def test_idn_domain_and_display_name(make_settings, config_file):
    settings = make_settings(config_file('[display_names]\n"xn--bcher-kva.example" = "Bücher <Mail>"\n'))
    top = parse(settings, "anna@xn--bcher-kva.example", "xn--bcher-kva.example")
    assert top["PayloadIdentifier"].startswith("example.xn--bcher-kva.mail.")
    assert top["PayloadDisplayName"] == "Bücher <Mail>: anna@xn--bcher-kva.example"
    assert top["PayloadContent"][0]["EmailAddress"] == "anna@xn--bcher-kva.example"
