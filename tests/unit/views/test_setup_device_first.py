"""The visitor's own device first: its steps above the settings table, an
Apple device's profile as a large button; the rest in the usual order."""

import pytest
from lxml import html

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"
ANDROID = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36"
WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36"
USUAL = ["Thunderbird", "Outlook", "iPhone, iPad and Mac", "Android", "Other apps"]


def get(client, agent=None, host="autoconfig.example.org", language="en", **query):
    headers = {"Host": host, "Accept-Language": language, **({"User-Agent": agent} if agent else {})}
    return client.get("/", query_string=query, headers=headers)


def headings(doc, section):
    return [" ".join(h.text_content().split()) for h in doc.xpath(f"//section[@aria-labelledby='{section}']//h3")]


@pytest.mark.parametrize(
    "agent, first",
    [
        (IPHONE, ["iPhone, iPad and Mac"]),
        (ANDROID, ["Android"]),
        (WINDOWS, ["Thunderbird", "Outlook"]),
    ],
)
def test_own_device_comes_first_and_the_rest_keeps_its_order(client, agent, first):
    doc = html.fromstring(get(client, agent, emailaddress="jane@example.org").data)
    # Right after the address form, before the settings table.
    assert doc.xpath("//form/following-sibling::section[1]/@aria-labelledby") == ["device-heading"]
    assert headings(doc, "device-heading") == first
    assert headings(doc, "apps-heading") == [name for name in USUAL if name not in first]


def test_an_apple_device_gets_the_profile_as_a_button_at_the_top(client):
    doc = html.fromstring(get(client, IPHONE, emailaddress="jane@example.org").data)
    [button] = doc.xpath("//section[@aria-labelledby='device-heading']//a[@class='profile-button']")
    assert button.get("href") == "/mobileconfig?emailaddress=jane@example.org"
    assert button.text == "Download the mail profile"
    # Without an address there is no profile yet: the steps say how to get one.
    doc = html.fromstring(get(client, IPHONE).data)
    assert not doc.xpath("//a[@class='profile-button']")
    assert headings(doc, "device-heading") == ["iPhone, iPad and Mac"]


@pytest.mark.parametrize("agent", [None, "curl/8.5.0", "Googlebot/2.1 (+http://www.google.com/bot.html)"])
@pytest.mark.parametrize("query", [{}, {"emailaddress": "jane@example.org"}, {"emailaddress": "jane"}])
def test_an_unknown_device_gets_the_page_as_it_always_was(client, agent, query):
    page = get(client, agent, **query).data
    assert page == get(client, None, **query).data
    doc = html.fromstring(page)
    assert not doc.xpath("//section[@aria-labelledby='device-heading']")
    assert headings(doc, "apps-heading") == USUAL


def test_no_device_section_where_no_domain_is_known(client):
    doc = html.fromstring(get(client, IPHONE, host="mailconfig.example.com").data)
    assert not doc.xpath("//section[@aria-labelledby='device-heading']")


def test_device_section_speaks_the_page_language(client):
    doc = html.fromstring(get(client, IPHONE, language="de-AT", emailaddress="jane@example.org").data)
    assert doc.xpath("//h2[@id='device-heading']/text()") == ["Für dieses Gerät"]
    assert doc.xpath("//a[@class='profile-button']/text()") == ["E-Mail-Profil herunterladen"]


def test_caches_keep_one_copy_per_language_and_device(client):
    assert set(get(client, IPHONE).vary) >= {"Accept-Language", "User-Agent"}
