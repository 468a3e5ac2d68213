"""axe-core (npm, pinned by package-lock.json) run inside the page under test.

axe is injected as an inline script after the page loads: the pages
themselves carry no JavaScript, so nothing of theirs competes with it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.1 levels A and AA, the level the page claims.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN = """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
  .then(result => result.violations.map(v => ({rule: v.id, impact: v.impact, help: v.help,
                                              nodes: v.nodes.map(n => n.target.join(' '))})))"""


@lru_cache(maxsize=1)
def _script() -> str:
    return AXE.read_text(encoding="utf-8")


def violations(page: Page) -> list[dict]:
    """Every WCAG 2.1 A/AA violation axe finds on the page as it is now."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(content=_script())
    return page.evaluate(RUN, TAGS)
