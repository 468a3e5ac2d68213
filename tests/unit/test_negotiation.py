"""The page answers in the language the browser asks for, whatever its region."""

import pytest
from lxml import html

from app.i18n import LANGUAGES, SOURCE_LANGUAGE, TRANSLATED, negotiate

# What browsers send, by language: a region first, English as a fallback
# with a lower quality (the case werkzeug's best_match got wrong).
REGIONS = {"de": "de-AT", "es": "es-MX", "fr": "fr-FR", "it": "it-CH", "nl": "nl-BE", "pl": "pl-PL", "pt": "pt-BR"}


def test_every_translated_language_has_a_regional_example():
    assert sorted(REGIONS) == sorted(TRANSLATED)


@pytest.mark.parametrize("lang", TRANSLATED)
@pytest.mark.parametrize(
    "header",
    [
        "{region},en-US;q=0.7,en;q=0.3",
        "{region},{lang};q=0.9,en;q=0.5",
        "{lang}",
        "{region}",
        "{REGION}",
        "en-GB;q=0.5,{region};q=0.8",
        "zh-CN,{region};q=0.9,en;q=0.8",
        "*;q=0.1,{region}",
    ],
)
def test_a_browser_gets_its_own_language_from_any_region(lang, header):
    region = REGIONS[lang]
    assert negotiate(header.format(lang=lang, region=region, REGION=region.upper())) == lang


@pytest.mark.parametrize(
    "header, expected",
    [
        ("", SOURCE_LANGUAGE),
        ("*", SOURCE_LANGUAGE),
        ("zh-CN,ja;q=0.9", SOURCE_LANGUAGE),
        ("en-US,fr;q=0.9", "en"),
        ("de;q=0,fr;q=0.5", "fr"),  # q=0 is a refusal
        ("pt_BR", "pt"),  # some clients write an underscore
        ("de-AT,de;q=0.9,en;q=0.5", "de"),
        ("garbage;;q=x,,", SOURCE_LANGUAGE),
    ],
)
def test_edge_cases(header, expected):
    assert negotiate(header) == expected


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_page_is_in_the_negotiated_language_and_says_so(client, lang):
    header = f"{REGIONS.get(lang, 'en-US')},en;q=0.5"
    response = client.get("/", query_string={"emailaddress": "a@example.com"}, headers={"Accept-Language": header})
    doc = html.fromstring(response.data)
    assert doc.get("lang") == lang
    current = doc.xpath("//nav//a[@aria-current]")
    assert [a.text for a in current] == [LANGUAGES[lang]]


def test_lang_in_the_address_wins_over_the_browser(client):
    response = client.get("/", query_string={"lang": "pl"}, headers={"Accept-Language": "de"})
    assert html.fromstring(response.data).get("lang") == "pl"


def test_the_switch_lists_every_language_by_its_own_name(client):
    doc = html.fromstring(client.get("/", headers={"Accept-Language": "nl"}).data)
    links = doc.xpath("//nav//a")
    assert [(a.get("lang"), a.text) for a in links] == list(LANGUAGES.items())
