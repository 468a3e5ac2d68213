"""Real browsers' User-Agents, sorted by platform."""

import pytest

from app.devices import ANDROID, APPLE, DESKTOP, platform

AGENTS = {
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1": APPLE,
    "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0 "
    "Mobile/15E148 Safari/604.1": APPLE,
    # A Mac, or iPadOS Safari, which asks for the desktop site by default.
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15": APPLE,
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 "
    "Mobile Safari/537.36": ANDROID,
    "Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0": ANDROID,
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 "
    "Safari/537.36 Edg/124.0": DESKTOP,
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0": DESKTOP,
    "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 "
    "Safari/537.36": DESKTOP,
    "curl/8.5.0": None,
    "Googlebot/2.1 (+http://www.google.com/bot.html)": None,
    "": None,
}


@pytest.mark.parametrize("agent, expected", AGENTS.items())
def test_platform(agent, expected):
    assert platform(agent) == expected
