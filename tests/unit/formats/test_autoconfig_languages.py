"""The autoconfig documentation link is described in every page language."""

from defusedxml.ElementTree import fromstring

from app.formats.autoconfig import document
from app.i18n import LANGUAGES, SOURCE_LANGUAGE


def test_documentation_is_described_in_every_page_language(settings):
    xml = document(settings, settings.domain("xn--bcher-kva.example"), "https://autoconfig.example.com/")
    descriptions = {d.get("lang"): d.text for d in fromstring(xml).iter("descr")}
    assert list(descriptions) == list(LANGUAGES)
    assert descriptions[SOURCE_LANGUAGE] == "How to set up your mail client for bücher.example"
    assert descriptions["de"] == "So richten Sie Ihr E-Mail-Programm für bücher.example ein"
    assert descriptions["fr"] == "Configurer votre logiciel de messagerie pour bücher.example"
    # Each one translated, and each one names the domain.
    assert len(set(descriptions.values())) == len(LANGUAGES)
    assert all("bücher.example" in text for text in descriptions.values())
