"""The setup page in a real headless Chromium (Debian's, via Playwright) against a real gunicorn.

Real parts: gunicorn with the production config, signing with a certificate
chain from tests/pki.py, Chromium rendering and submitting the page, zbarimg
(Debian zbar-tools) reading the QR code off the screen, openssl checking
the downloaded profile.
"""

import plistlib
import subprocess
from pathlib import Path

import pytest
import requests

from app.i18n import LANGUAGES
from tests.conftest import CLOUDRON_ENV
from tests.pki import cms_verify

from .browser import DESKTOP, PHONE, screenshot
from .servers import gunicorn

# What Cloudron's nginx adds when someone opens https://autoconfig.example.org/.
CLOUDRON_PROXY = {"X-Forwarded-Host": "autoconfig.example.org", "X-Forwarded-Proto": "https"}

CONTRAST = """() => {
  const rgb = c => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => v / 255)
      .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
      .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = el => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c;
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll('h1,h2,h3,p,li,a,th,td,dt,dd,label,button,span,figcaption')]
    .filter(el => el.textContent.trim())
    .map(el => {
      const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(background(el))];
      return [el.tagName + ' ' + el.textContent.trim().slice(0, 30), (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
    });
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory, test_ca):
    leaf = test_ca.issue(["mailconfig.example.com"], stem="tls")
    env = {
        **CLOUDRON_ENV,
        "AUTOCONFIG_CONFIG_FILE": str(tmp_path_factory.mktemp("data") / "absent.toml"),
        "AUTOCONFIG_TLS_CERT_FILE": str(leaf.cert),
        "AUTOCONFIG_TLS_KEY_FILE": str(leaf.key),
        "SSL_CERT_FILE": str(test_ca.root),  # the roots the test's devices trust
    }
    with gunicorn(env) as (base, _, _):
        yield base


def words(locator):
    return " ".join(locator.inner_text().split())


def read_qr(png) -> str:
    result = subprocess.run(["zbarimg", "--quiet", "--raw", str(png)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize("viewport, name", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_person_enters_address_reads_settings_and_gets_the_signed_profile(
    chromium, server, test_ca, tmp_path, viewport, name
):
    page = chromium.page(viewport=viewport, extra_http_headers=CLOUDRON_PROXY, accept_downloads=True)
    page.goto(server + "/")
    assert words(page.locator("h1")) == "Set up your email for example.org"

    # Keyboard only, no JavaScript on the page: Tab past the language switch, type, Enter.
    for _ in range(len(LANGUAGES) + 1):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "emailaddress"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    page.keyboard.type("jane@example.org")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_label("Your email address").input_value() == "jane@example.org"

    rows = [words(row) for row in page.locator("tbody tr").all()]
    assert rows == [
        "Incoming mail (IMAP) my.example.com 993 SSL/TLS encrypted from the first byte",
        "Outgoing mail (SMTP) my.example.com 587 STARTTLS switches to encryption right after connecting",
    ]
    assert words(page.locator("dl dd").first) == "jane@example.org"
    assert "signed by mailconfig.example.com" in words(page.locator(".notice"))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "sideways scrolling"
    low = [(what, round(ratio, 2)) for what, ratio in page.evaluate(CONTRAST) if ratio < 4.5]
    assert low == [], "text below WCAG AA contrast"
    screenshot(page, f"setup-{name}-en")

    # The QR code, read off the screen, is the absolute URL of the profile link.
    link = page.locator("a.profile-link")
    page.locator("figure svg").screenshot(path=str(tmp_path / "qr.png"))
    assert link.get_attribute("href") == "/mobileconfig?emailaddress=jane@example.org"
    assert read_qr(tmp_path / "qr.png") == "https://autoconfig.example.org" + link.get_attribute("href")

    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "example.org.mobileconfig"
    result = cms_verify(Path(download.value.path()).read_bytes(), test_ca.root, tmp_path)
    assert result.returncode == 0, result.stderr
    account = plistlib.loads((tmp_path / "content").read_bytes())["PayloadContent"][0]
    assert (account["EmailAddress"], account["IncomingMailServerHostName"]) == ("jane@example.org", "my.example.com")

    page.get_by_role("link", name="Français").click()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert words(page.locator("h1")) == "Configurer votre messagerie pour example.org"
    assert words(page.locator("dl dd").first) == "jane@example.org"
    screenshot(page, f"setup-{name}-fr")


def test_french_browser_gets_french_and_the_primary_host_lists_the_domains(chromium, server):
    page = chromium.page(viewport=PHONE, locale="fr-FR")
    page.goto(server + "/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert words(page.locator("h1")) == "Configurer votre messagerie"
    assert [words(a) for a in page.locator("ul.domains a").all()] == ["example.com", "example.org", "bücher.example"]
    screenshot(page, "setup-phone-domains-fr")
    page.get_by_role("link", name="bücher.example").click()
    assert words(page.locator("h1")) == "Configurer votre messagerie pour bücher.example"
    page.get_by_label("Votre adresse e-mail").fill("jane")
    page.get_by_role("button", name="Afficher mes réglages").click()
    assert words(page.get_by_role("alert")) == "Ce n’est pas une adresse e-mail. Vérifiez-la et réessayez."
    assert words(page.locator("h1")) == "Configurer votre messagerie pour bücher.example"


def test_profile_link_works_for_a_client_without_a_browser(server, test_ca, tmp_path):
    response = requests.get(server + "/mobileconfig", params={"emailaddress": "jane@example.com"})
    assert response.headers["Content-Type"] == "application/x-apple-aspen-config"
    assert cms_verify(response.content, test_ca.root, tmp_path).returncode == 0
