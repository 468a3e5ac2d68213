"""Every page string exists in English and French, and the language is chosen as users expect."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from lxml import html

from app import create_app
from app.i18n import LANGUAGES

REPO = Path(__file__).resolve().parents[2]
PO = REPO / "app" / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
# Names that are the same in every language.
NAMES = ["Thunderbird", "Outlook", "Android", "SSL/TLS", "STARTTLS", "IMAP", "POP3", "SMTP", *LANGUAGES.values()]
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def source_strings() -> set[str]:
    with open(REPO / "babel.cfg") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {"_": None, "gettext": None, "lazy_gettext": None}
    return {message for _, _, message, *_ in extract_from_dir(REPO, method_map, options_map, keywords)}


@pytest.fixture(scope="module")
def french():
    with open(PO, "rb") as handle:
        return read_po(handle)


def test_french_catalogue_has_exactly_the_strings_of_the_sources(french):
    in_catalogue = {m.id for m in french if m.id}
    assert source_strings() - in_catalogue == set(), "strings not translated: run `make messages`"
    assert in_catalogue - source_strings() == set(), "translations of strings no longer used"


def test_every_french_string_is_written_and_keeps_its_placeholders(french):
    for message in french:
        if message.id:
            assert message.string.strip(), f"empty translation of {message.id!r}"
            assert not message.fuzzy, f"fuzzy translation of {message.id!r}"
            assert sorted(PLACEHOLDER.findall(message.string)) == sorted(PLACEHOLDER.findall(message.id))


def visible_texts(body: bytes) -> list[str]:
    """Every text a person sees or hears, in document order."""
    doc = html.fromstring(body)
    texts = []
    for element in doc.iter():
        for attribute in ("placeholder", "aria-label"):
            texts.append(element.get(attribute) or "")
        texts += [element.text or "", element.tail or ""]
    return [" ".join(t.split()) for t in texts if t.strip()]


@pytest.fixture
def signed_client(make_settings, test_ca, config_file):
    leaf = test_ca.issue(["mailconfig.example.com"])
    settings = make_settings(
        config_file("services.submissions.enabled = true\n"),
        AUTOCONFIG_TLS_CERT_FILE=str(leaf.cert),
        AUTOCONFIG_TLS_KEY_FILE=str(leaf.key),
    )
    return create_app({"SETTINGS": settings, "TESTING": True}).test_client()


@pytest.fixture
def dav_client(make_settings, config_file):
    from tests.dav import DAV_TOML

    settings = make_settings(config_file(DAV_TOML.replace('login = "localpart"', 'login = "none"')))
    return create_app({"SETTINGS": settings, "TESTING": True}).test_client()


@pytest.mark.parametrize(
    "host, query",
    [
        ("mailconfig.example.com", {}),
        ("autoconfig.example.org", {}),
        ("autoconfig.example.org", {"emailaddress": "jane@example.org"}),
        ("autoconfig.example.org", {"emailaddress": "jane"}),
        ("autoconfig.example.org", {"emailaddress": "jane@example.net"}),
    ],
)
@pytest.mark.parametrize("variant", ["plain", "signed", "dav"])
def test_no_english_is_left_on_the_french_page(client, signed_client, dav_client, french, host, query, variant):
    """Catches strings nobody marked for translation: a text identical in both
    languages may only hold names, data and words French spells the same."""
    client = {"plain": client, "signed": signed_client, "dav": dav_client}[variant]
    pages = {
        lang: visible_texts(client.get("/", query_string={**query, "lang": lang}, headers={"Host": host}).data)
        for lang in LANGUAGES
    }
    assert len(pages["en"]) == len(pages["fr"])
    same_in_french = [m.id for m in french if m.id and m.id == m.string]
    data = [
        "jane@example.org",
        "jane",
        "my.example.com",
        "example.org",
        "example.com",
        "example.net",
        "bücher.example",
        "mailconfig.example.com",
        "https://cloud.example.com/remote.php/dav/",
        "https://dav.example.org:8443/",
        "DAVx⁵",
        "Google Play",
        "F-Droid",
    ]
    for english, in_french in zip(pages["en"], pages["fr"], strict=True):
        if english == in_french:
            rest = english
            for token in sorted(same_in_french + NAMES + data, key=len, reverse=True):
                rest = rest.replace(token, "")
            assert not re.search(r"[^\W\d_]", rest), f"untranslated: {english!r}"


def test_uncompiled_translations_are_said_at_start(tmp_path, caplog):
    from flask import Flask

    from app import i18n

    i18n.init_app(Flask("bare", root_path=str(tmp_path)))
    assert "translations not compiled (run `make translations`): fr" in caplog.text
