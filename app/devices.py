"""The kind of device a visitor's browser runs on, read from its User-Agent,
so the setup page can put that device's way of setting up mail first.

admin/recent.py groups User-Agents by mail client for the dashboard; this groups
browsers by platform, a different question with the same cheap answer:
lower-case substrings, first match wins.
"""

from __future__ import annotations

from functools import lru_cache

APPLE, ANDROID, DESKTOP = "apple", "android", "desktop"
# iPhones say "like Mac OS X" and Android says "Linux", so each comes before
# what it resembles. iPadOS Safari calls itself a Macintosh: it gets the
# Apple profile either way.
PLATFORMS = (
    ("iphone", APPLE),
    ("ipad", APPLE),
    ("ipod", APPLE),
    ("macintosh", APPLE),
    ("android", ANDROID),
    ("windows", DESKTOP),
    ("x11", DESKTOP),
    ("cros", DESKTOP),
)


# Browsers send a few distinct User-Agents, over and over: remember the answers.
@lru_cache(maxsize=256)
def platform(user_agent: str) -> str | None:
    agent = user_agent.lower()
    return next((name for needle, name in PLATFORMS if needle in agent), None)
