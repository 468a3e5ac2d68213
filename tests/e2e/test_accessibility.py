"""A real accessibility audit (axe-core in Debian's Chromium) of the setup
page in every language and state, at phone and desktop width, plus the
screenshots a person checks by eye and a test that nothing overflows."""

import pytest

from app.i18n import LANGUAGES
from tests.conftest import CLOUDRON_ENV

from .axe import violations
from .browser import DESKTOP, PHONE, screenshot
from .servers import gunicorn

# What a browser in each language sends: a region, which the page must
# still understand (de-AT is German, pt-BR is Portuguese).
LOCALES = {
    "en": "en-US",
    "de": "de-AT",
    "es": "es-ES",
    "fr": "fr-FR",
    "it": "it-IT",
    "nl": "nl-NL",
    "pl": "pl-PL",
    "pt": "pt-BR",
}
# Phones, by their real User-Agents.
DEVICES = {
    "iphone": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1",
    "android": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 "
    "Mobile Safari/537.36",
}
# Page states: no address, a good one, a domain not served, a malformed one.
STATES = {"start": "", "address": "jane@example.org", "unknown": "jane@example.net", "malformed": "jane"}
# Elements whose content is wider than their box, or that reach past the
# viewport: what a person sees as text cut off or a page that scrolls
# sideways. Content hidden for screen readers only (a 1px clipped box, like
# the phone table's header) is not seen, so not checked.
OVERFLOWING = """() => {
  const clips = el => getComputedStyle(el).overflowX !== 'visible';
  const unseen = el => { for (; el; el = el.parentElement) if (clips(el) && el.clientWidth <= 1) return true; };
  return [...document.body.querySelectorAll('*')].filter(el => {
    if (unseen(el)) return false;
    const box = el.getBoundingClientRect();
    return box.right > innerWidth + 0.5 || box.left < -0.5
        || (!clips(el) && el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1);
  }).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
               + ' ' + el.textContent.trim().slice(0, 40));
}"""


def test_every_language_has_a_browser_locale():
    assert list(LOCALES) == list(LANGUAGES)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    env = {**CLOUDRON_ENV, "AUTOCONFIG_CONFIG_FILE": str(tmp_path_factory.mktemp("data") / "absent.toml")}
    with gunicorn(env) as (base, _, _):
        yield base


@pytest.fixture
def open_page(chromium):
    pages = []

    def open_(viewport, locale, path, **options):
        page = chromium.page(
            viewport=viewport,
            locale=locale,
            extra_http_headers={"X-Forwarded-Host": "autoconfig.example.org"},
            **options,
        )
        pages.append(page)
        page.goto(path)
        return page

    yield open_
    for page in pages:
        page.context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("viewport, width", [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_setup_page_passes_axe_and_fits(server, open_page, lang, state, viewport, width):
    query = f"?emailaddress={STATES[state]}" if STATES[state] else ""
    page = open_page(viewport, LOCALES[lang], server + "/" + query)
    assert page.locator("html").get_attribute("lang") == lang
    assert violations(page) == []
    assert page.evaluate(OVERFLOWING) == [], "text wider than its box or the viewport"
    if width == "phone":
        screenshot(page, f"setup-phone-{state}-{lang}")


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("device, agent", DEVICES.items())
def test_own_device_first_passes_axe_and_fits(server, open_page, lang, device, agent):
    """Headless Chromium calls itself Linux (a desktop): phones say who they are."""
    page = open_page(PHONE, LOCALES[lang], server + "/?emailaddress=jane@example.org", user_agent=agent)
    assert page.locator("h2").first.get_attribute("id") == "device-heading"
    assert violations(page) == []
    assert page.evaluate(OVERFLOWING) == [], "text wider than its box or the viewport"
    if device == "iphone":
        # A large target, on the first screen (WCAG 2.5.5 asks 44 px).
        box = page.locator("a.profile-button").bounding_box()
        assert box["height"] >= 44 and box["width"] >= PHONE["width"] / 2
        assert box["y"] + box["height"] <= PHONE["height"]
    screenshot(page, f"setup-phone-{device}-{lang}")


@pytest.mark.parametrize(
    "breakage, rule",
    [
        # axe takes a placeholder for a name, so the field loses both.
        (
            "document.querySelector('label[for=emailaddress]').remove();"
            + "document.getElementById('emailaddress').removeAttribute('placeholder')",
            "label",
        ),
        ("document.querySelector('h1 + p').style.color = '#bbb'", "color-contrast"),
    ],
)
def test_a_broken_copy_fails_the_audit(server, open_page, breakage, rule):
    """The audit is only worth something if it can fail: break the page as
    a careless edit would, and axe must say so."""
    page = open_page(PHONE, "en-US", server + "/")
    assert violations(page) == []
    page.evaluate(breakage)
    assert rule in [v["rule"] for v in violations(page)]
