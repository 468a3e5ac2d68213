"""How much each expected item matters, so the dashboard can lead with what
breaks clients and count only that as a problem.

Every item the dashboard checks (alias location, DNS record, self-test
request) states its level and one line on what breaks, or what improves,
with it, where it is declared: app/admin/records.py and app/admin/self_test.py.
"""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    # Without it some client family cannot set itself up: counted as a problem.
    REQUIRED = "required"
    # It helps real clients (fallbacks, other lookups): counted apart.
    RECOMMENDED = "recommended"
    # Courtesy to clients that guess: counted apart.
    OPTIONAL = "optional"
    # Not this app's to fix (Cloudron manages it): shown, never counted.
    INFORMATIONAL = "informational"


# What each level means, in the page's headings and the zone snippet's comments.
MEANING = {
    Level.REQUIRED: "without these, some mail clients cannot set themselves up",
    Level.RECOMMENDED: "these help real clients, as fallbacks or for clients that ask DNS",
    Level.OPTIONAL: "a courtesy to clients that guess; nothing breaks without them",
    Level.INFORMATIONAL: "managed by Cloudron, shown for reference; not this app's to fix",
}
