"""Headless Debian Chromium driven by Playwright (no browser download).

Screenshots go to artifacts/screenshots/ at the repo root, kept as test
artefacts (CI prints where they are).
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
# Without these, Chromium tries to phone home and is refused by the closed network.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


class Chromium:
    def __init__(self) -> None:
        self._playwright = sync_playwright().start()
        self.browser: Browser = self._playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)

    def page(self, viewport=DESKTOP, locale: str = "en-US", **options) -> Page:
        context = self.browser.new_context(viewport=viewport, locale=locale, **options)
        return context.new_page()

    def close(self) -> None:
        self.browser.close()
        self._playwright.stop()


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
