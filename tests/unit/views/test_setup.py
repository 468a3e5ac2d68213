"""The setup page at / through Flask's test client, read as a person reads it."""

import json

import pytest
from lxml import html

from app import create_app


def get(client, host="autoconfig.example.org", language="en", **query):
    response = client.get("/", query_string=query, headers={"Host": host, "Accept-Language": language})
    assert response.content_type == "text/html; charset=utf-8"
    return response, html.fromstring(response.data)


def words(element):
    # As displayed: <br> and tags separate words, runs of spaces are one.
    return " ".join(" ".join(element.itertext()).split())


def text(doc, xpath):
    return " ".join(words(e) for e in doc.xpath(xpath))


def table(doc):
    return [[words(c) for c in row.xpath("th|td")] for row in doc.xpath("//table/tbody/tr")]


def credentials(doc):
    return dict(
        zip([text(dt, ".") for dt in doc.xpath("//dl/dt")], [text(dd, ".") for dd in doc.xpath("//dl/dd")], strict=True)
    )


def test_alias_host_shows_its_domains_settings_before_any_address(client):
    response, doc = get(client)
    assert response.status_code == 200
    assert text(doc, "//h1") == "Set up your email for example.org"
    assert table(doc) == [
        ["Incoming mail (IMAP)", "my.example.com", "993", "SSL/TLS encrypted from the first byte"],
        ["Outgoing mail (SMTP)", "my.example.com", "587", "STARTTLS switches to encryption right after connecting"],
    ]
    assert credentials(doc)["Username"] == "your full email address"
    assert "Cloudron password" in credentials(doc)["Password"]
    assert not doc.xpath("//a[contains(@href, '/mobileconfig')]") and not doc.xpath("//svg")
    assert [text(h, ".") for h in doc.xpath("//h3")] == [
        "Thunderbird",
        "Outlook",
        "iPhone, iPad and Mac",
        "Android",
        "Other apps",
    ]


def test_an_address_fills_in_username_profile_qr_code_and_raw_documents(client):
    response, doc = get(client, emailaddress=" Jane@Example.org ")
    assert response.status_code == 200
    assert credentials(doc)["Username"] == "Jane@example.org"
    assert doc.xpath("//input[@id='emailaddress']/@value") == ["Jane@Example.org"]
    [profile] = doc.xpath("//a[contains(@class, 'profile-link')]/@href")
    download = client.get(profile)
    assert download.status_code == 200 and download.content_type == "application/x-apple-aspen-config"
    assert b"<string>Jane@example.org</string>" in download.data
    assert doc.xpath("//figure/svg/title/text()") == ["QR code of the profile link"]
    assert "not signed because this server has no certificate" in text(doc, "//p[@class='notice']")
    [autoconfig, autodiscover] = doc.xpath("//section[@aria-labelledby='raw-heading']//a/@href")
    assert b'<emailProvider id="example.org">' in client.get(autoconfig).data
    assert json.loads(client.get(autodiscover).data)["Protocol"] == "AutodiscoverV1"


def test_the_address_decides_the_domain_whatever_the_host(client):
    _, doc = get(client, host="mailconfig.example.com", emailaddress="anna@bücher.example")
    assert text(doc, "//h1") == "Set up your email for bücher.example"
    assert credentials(doc)["Username"] == "anna@xn--bcher-kva.example"


def test_domain_parameter_from_autoconfig_documentation_links(client):
    # The autoconfig document's link is /?domain=<d> when the host is another domain's.
    _, doc = get(client, host="mailconfig.example.com", domain="EXAMPLE.org")
    assert text(doc, "//h1") == "Set up your email for example.org"
    assert doc.xpath("//form//input[@type='hidden' and @name='domain']/@value") == ["example.org"]


def test_primary_host_lists_every_mail_domain_with_working_links(client):
    response, doc = get(client, host="mailconfig.example.com")
    assert response.status_code == 200
    assert text(doc, "//h1") == "Set up your email"
    links = doc.xpath("//ul[@class='domains']//a")
    assert [a.text for a in links] == ["example.com", "example.org", "bücher.example"]
    _, chosen = get(client, host="mailconfig.example.com", domain=links[2].get("href").split("domain=")[1])
    assert text(chosen, "//h1") == "Set up your email for bücher.example"


def test_admin_chooses_which_domains_the_primary_host_lists(make_settings, config_file):
    settings = make_settings(config_file('setup_page_domains = ["example.org", "not-served.example", "example.com"]\n'))
    client = create_app({"SETTINGS": settings, "TESTING": True}).test_client()
    _, doc = get(client, host="mailconfig.example.com")
    assert [a.text for a in doc.xpath("//ul[@class='domains']//a")] == ["example.org", "example.com"]
    # Every served domain still has its page and settings.
    _, other = get(client, host="autoconfig.xn--bcher-kva.example")
    assert text(other, "//h1") == "Set up your email for bücher.example"


def test_the_table_shows_what_the_admin_enabled_preferred_first(make_settings, config_file):
    settings = make_settings(config_file("services.submissions.enabled = true\nservices.pop3.enabled = true\n"))
    client = create_app({"SETTINGS": settings, "TESTING": True}).test_client()
    _, doc = get(client)
    assert [row[:3] for row in table(doc)] == [
        ["Incoming mail (IMAP)", "my.example.com", "993"],
        ["Incoming mail (POP3) alternative", "my.example.com", "995"],
        ["Outgoing mail (SMTP)", "my.example.com", "465"],
        ["Outgoing mail (SMTP) alternative", "my.example.com", "587"],
    ]


@pytest.mark.parametrize(
    "typed, status, message",
    [
        ("jane", 400, "This is not an email address. Check it and try again."),
        ("<b>jane</b>@example.org", 400, "This is not an email address. Check it and try again."),
        ("jane@example.net", 404, "This server publishes no mail settings for example.net."),
    ],
)
def test_wrong_addresses_are_explained_next_to_the_field(client, typed, status, message):
    response, doc = get(client, emailaddress=typed)
    assert response.status_code == status
    assert text(doc, "//*[@role='alert']") == message
    field = doc.xpath("//input[@id='emailaddress']")[0]
    assert field.get("value") == typed and field.get("aria-invalid") == "true"
    assert field.get("aria-describedby") == doc.xpath("//*[@role='alert']/@id")[0]
    assert b"<b>" not in response.data
    # The page still helps with the host's own domain.
    assert text(doc, "//h1") == "Set up your email for example.org"


def test_signed_profiles_are_announced_with_the_signer(make_settings, test_ca):
    leaf = test_ca.issue(["mailconfig.example.com"])
    settings = make_settings(AUTOCONFIG_TLS_CERT_FILE=str(leaf.cert), AUTOCONFIG_TLS_KEY_FILE=str(leaf.key))
    client = create_app({"SETTINGS": settings, "TESTING": True}).test_client()
    _, doc = get(client, emailaddress="jane@example.org")
    assert text(doc, "//p[@class='notice']") == (
        "The profile is signed by mailconfig.example.com, so your device shows it as verified."
    )


def test_language_follows_the_browser_and_the_switch_wins(client):
    _, french = get(client, language="fr-CA,fr;q=0.9,en;q=0.5", emailaddress="jane@example.org")
    assert french.get("lang") == "fr"
    assert text(french, "//h1") == "Configurer votre messagerie pour example.org"
    switch = dict(zip(french.xpath("//nav//a/@hreflang"), french.xpath("//nav//a/@href"), strict=True))
    assert french.xpath("//nav//a[@aria-current]/@hreflang") == ["fr"]
    response = client.get(switch["en"], headers={"Host": "autoconfig.example.org", "Accept-Language": "fr"})
    english = html.fromstring(response.data)
    assert english.get("lang") == "en"
    assert credentials(english)["Username"] == "jane@example.org"
    # The chosen language rides along with the form.
    assert english.xpath("//form//input[@name='lang']/@value") == ["en"]
    _, unknown = get(client, language="ja", lang="xx")
    assert unknown.get("lang") == "en"


def dav_section(doc):
    [section] = doc.xpath("//section[@aria-labelledby='dav-heading']") or [None]
    if section is None:
        return None
    return {
        "heading": text(section, ".//h2"),
        "credentials": dict(
            zip(
                [text(dt, ".") for dt in section.xpath(".//dt")],
                [text(dd, ".") for dd in section.xpath(".//dd")],
                strict=True,
            )
        ),
        "apps": [text(h3, ".") for h3 in section.xpath(".//h3")],
    }


def test_calendars_and_contacts_with_the_urls_and_the_login_of_the_address(make_settings, config_file):
    from tests.dav import DAV_TOML

    client = create_app({"SETTINGS": make_settings(config_file(DAV_TOML)), "TESTING": True}).test_client()
    _, doc = get(client, host="autoconfig.example.com", emailaddress="Jane.Doe@example.com")
    shown = dav_section(doc)
    assert shown["heading"] == "Calendars and contacts"
    assert shown["credentials"] == {
        "Calendars (CalDAV)": "https://cloud.example.com/remote.php/dav/",
        "Contacts (CardDAV)": "https://cloud.example.com/remote.php/dav/",
        "Username": "Jane.Doe",
        "Password": "your Cloudron password",
    }
    assert shown["apps"] == ["Thunderbird", "iPhone, iPad and Mac", "Android", "Other apps"]
    assert "DAVx⁵" in text(doc, "//section[@aria-labelledby='dav-heading']")
    # Before the address is known, the login is said in words; in French too.
    _, doc = get(client, host="autoconfig.example.org", language="fr")
    shown = dav_section(doc)
    assert shown["heading"] == "Agendas et contacts"
    assert shown["credentials"]["Nom d’utilisateur"] == "votre adresse e-mail complète"


def test_without_dav_the_page_has_no_calendar_section(client):
    _, doc = get(client, emailaddress="jane@example.org")
    assert dav_section(doc) is None
