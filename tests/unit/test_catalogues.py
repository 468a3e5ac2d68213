"""Every translated catalogue is complete, written and faithful to the English.

A catalogue fails when it misses a string of the sources, keeps one the
sources dropped, leaves one empty or fuzzy, copies the English without the
"same in English" note, or changes a placeholder. The page itself is then
checked for English left over in every language.
"""

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from lxml import html

from app import create_app
from app.i18n import LANGUAGES, TRANSLATED

REPO = Path(__file__).resolve().parents[2]
TRANSLATIONS = REPO / "app" / "translations"
# A translator writes this note above a string that is rightly the same as
# the English (a product name, or "Port" in German).
SAME_ON_PURPOSE = "Same in English, on purpose."
# Names that are the same in every language.
NAMES = ["Thunderbird", "Outlook", "Android", "SSL/TLS", "STARTTLS", "IMAP", "POP3", "SMTP", *LANGUAGES.values()]
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def source_strings() -> set[str]:
    with open(REPO / "babel.cfg") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {"_": None, "gettext": None, "lazy_gettext": None, "N_": None}
    return {message for _, _, message, *_ in extract_from_dir(REPO, method_map, options_map, keywords)}


def catalogue(lang: str) -> Catalog:
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle)


def problems(po: Catalog, sources: set[str]) -> list[str]:
    """What is wrong with one catalogue, one line per string."""
    written = {m.id: m for m in po if m.id}
    found = [f"missing: {id!r}" for id in sorted(sources - written.keys())]
    found += [f"no longer used: {id!r}" for id in sorted(written.keys() - sources)]
    for id, message in written.items():
        if not message.string.strip() or message.fuzzy:
            found.append(f"not translated: {id!r}")
        elif message.string == id and SAME_ON_PURPOSE not in message.user_comments:
            found.append(f"left in English: {id!r}")
        elif sorted(PLACEHOLDER.findall(message.string)) != sorted(PLACEHOLDER.findall(id)):
            found.append(f"placeholders differ: {id!r} -> {message.string!r}")
    return found


def test_every_language_has_a_catalogue_and_every_catalogue_a_language():
    on_disk = {path.name for path in TRANSLATIONS.iterdir() if path.is_dir()}
    assert on_disk == set(TRANSLATED), "add the language to app/i18n.py and run `make messages`"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogue_is_complete_written_and_keeps_placeholders(lang):
    found = problems(catalogue(lang), source_strings())
    assert not found, f"app/translations/{lang}: run `make messages`, then fix:\n" + "\n".join(found)


def test_each_kind_of_mistake_is_caught():
    po = Catalog(locale="de")
    po.add("Port", "Port")  # left in English, without the note
    po.add("Mail setup for %(domain)s", "E-Mail für %(name)s")
    po.add("Password", "")
    po.add("Server", "Server", user_comments=[SAME_ON_PURPOSE])
    po.add("Gone", "Weg")
    sources = {"Port", "Mail setup for %(domain)s", "Password", "Server", "Language"}
    assert problems(po, sources) == [
        "missing: 'Language'",
        "no longer used: 'Gone'",
        "left in English: 'Port'",
        "placeholders differ: 'Mail setup for %(domain)s' -> 'E-Mail für %(name)s'",
        "not translated: 'Password'",
    ]


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
@pytest.mark.parametrize("signed", [False, True])
def test_no_english_is_left_on_the_page(client, signed_client, host, query, signed):
    """Catches strings nobody marked for translation: a text identical in
    both languages may only hold names, data and words spelt the same."""
    client = signed_client if signed else client
    data = [
        "jane@example.org",
        "jane",
        "my.example.com",
        "example.org",
        "example.com",
        "example.net",
        "bücher.example",
        "mailconfig.example.com",
    ]

    def page(lang: str) -> list[str]:
        return visible_texts(client.get("/", query_string={**query, "lang": lang}, headers={"Host": host}).data)

    english = page("en")
    for lang in TRANSLATED:
        same = [m.id for m in catalogue(lang) if m.id and m.id == m.string]
        translated = page(lang)
        assert len(translated) == len(english), lang
        for source, shown in zip(english, translated, strict=True):
            if source == shown:
                rest = source
                for token in sorted(same + NAMES + data, key=len, reverse=True):
                    rest = rest.replace(token, "")
                assert not re.search(r"[^\W\d_]", rest), f"untranslated in {lang}: {source!r}"
