"""The PACC document: valid by a schema written from the draft, the same
bytes for the same settings, and never a port the draft does not allow."""

import base64
import hashlib
import json
from pathlib import Path

import jsonschema
import pytest

from app.formats import pacc

SCHEMA = json.loads(
    (Path(__file__).parents[2] / "schemas" / "pacc" / "user-agent-configuration.schema.json").read_text()
)
WITH_465 = "[services.submissions]\nenabled = true\n"


@pytest.fixture
def with_465(make_settings, config_file):
    return make_settings(config_file(WITH_465))


def test_every_domain_gets_a_document_the_schema_accepts(with_465):
    for domain in with_465.domains:
        body = pacc.document(with_465, domain)
        jsonschema.validate(json.loads(body), SCHEMA)
        document = json.loads(body)
        assert document["protocols"] == {
            "imap": {"host": "my.example.com"},
            "submit": {"host": "my.example.com"},
            "smtp": {"host": "my.example.com"},
        }
        assert document["authentication"] == {"password": True}
        assert document["info"]["help"]["documentation"] == f"https://ua-auto-config.{domain.name}/"


def test_idn_names_are_unicode_in_utf8_and_the_host_is_ascii(with_465):
    body = pacc.document(with_465, with_465.domain("xn--bcher-kva.example"))
    assert "bücher".encode() in body
    info = json.loads(body)["info"]
    assert info["provider"] == {"name": "bücher.example", "shortName": "bücher"}
    assert info["help"]["documentation"] == "https://ua-auto-config.xn--bcher-kva.example/"


def test_same_settings_same_bytes_compact_and_in_fixed_order(with_465, make_settings, config_file):
    again = make_settings(config_file(WITH_465))
    domain = with_465.domain("example.com")
    body = pacc.document(with_465, domain)
    assert body == pacc.document(again, again.domain("example.com"))
    assert body.startswith(b'{"protocols":{"imap":{"host":"my.example.com"},"submit":')
    assert b": " not in body and b", " not in body and b"\n" not in body


def test_the_draft_name_limits_hold_for_a_long_display_name(make_settings, config_file):
    long_name = "The Very Long Name Of A Mail Provider That Goes On And On For Ever"
    settings = make_settings(config_file(WITH_465 + f'[display_names]\n"example.com" = "{long_name}"\n'))
    document = json.loads(pacc.document(settings, settings.domain("example.com")))
    jsonschema.validate(document, SCHEMA)
    assert document["info"]["provider"]["name"] == long_name[:60]


def test_pop3_is_listed_when_enabled(make_settings, config_file):
    settings = make_settings(config_file(WITH_465 + "[services.pop3]\nenabled = true\n"))
    protocols = json.loads(pacc.document(settings, settings.domain("example.com")))["protocols"]
    assert list(protocols) == ["imap", "pop3", "submit", "smtp"]


def test_default_settings_587_only_have_no_document_and_say_why(settings):
    assert pacc.document(settings, settings.domain("example.com")) is None
    assert "465" in pacc.unavailable_because(settings)


@pytest.mark.parametrize(
    "config",
    [
        "[services.submissions]\nenabled = true\nport = 2465\n",
        "[services.submissions]\nenabled = true\ntls = 'starttls'\n",
        WITH_465 + "[services.imap]\nport = 1993\n",
        WITH_465 + "[services.imap]\ntls = 'starttls'\nport = 143\n",
    ],
)
def test_ports_the_draft_cannot_express_mean_no_document(make_settings, config_file, config):
    settings = make_settings(config_file(config))
    assert pacc.unavailable_because(settings)
    assert pacc.document(settings, settings.domain("example.com")) is None


def test_imap_elsewhere_leaves_only_pop3_on_its_fixed_port(make_settings, config_file):
    settings = make_settings(config_file(WITH_465 + "[services.imap]\nport = 1993\n[services.pop3]\nenabled = true\n"))
    protocols = json.loads(pacc.document(settings, settings.domain("example.com")))["protocols"]
    assert "imap" not in protocols and protocols["pop3"] == {"host": "my.example.com"}


def test_the_txt_record_carries_the_base64_sha256_of_the_bytes(with_465):
    body = pacc.document(with_465, with_465.domain("example.com"))
    expected = base64.b64encode(hashlib.sha256(body).digest()).decode()
    assert pacc.txt_record(pacc.digest(body)) == f"v=UAAC1; a=sha256; d={expected}"


def test_calendars_and_contacts_are_listed_when_their_url_has_a_path(make_settings, config_file):
    from tests.dav import DAV_TOML

    settings = make_settings(config_file(WITH_465 + DAV_TOML))
    documents = {d.name: json.loads(pacc.document(settings, d)) for d in settings.domains}
    for document in documents.values():
        jsonschema.validate(document, SCHEMA)
    nextcloud = "https://cloud.example.com/remote.php/dav/"
    assert documents["example.com"]["protocols"]["caldav"] == {"url": nextcloud}
    assert documents["example.com"]["protocols"]["carddav"] == {"url": nextcloud}
    # example.org's DAV app answers at "/", which the draft cannot carry.
    assert not {"caldav", "carddav"} & documents["example.org"]["protocols"].keys()
