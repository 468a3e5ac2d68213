"""A ready-to-paste BIND zone snippet with every record a mail domain needs,
grouped by level (required first), so an admin pastes what matters first
and never twice what Cloudron creates by itself."""

from __future__ import annotations

from ..settings import MailDomain, Settings
from .levels import MEANING, Level
from .records import expected_records

CONTENT_TYPE = "text/plain; charset=utf-8"
# An hour: short enough that a fix spreads quickly, long enough to cache.
TTL = 3600
# Said first on such lines: on domains whose DNS Cloudron manages, adding
# the alias creates the record, and a second copy would conflict.
MADE_BY_CLOUDRON = "MADE BY CLOUDRON with the alias if it manages this DNS, do not paste twice"


def snippet(settings: Settings, domain: MailDomain) -> str:
    """Absolute owner names (trailing dot), so it pastes into any zone file."""
    records = expected_records(settings, domain)
    width = max(len(r.name) for r in records) + 1
    lines = [f"; Mail client discovery for {domain.unicode_name}, as this app serves it."]
    for level in Level:
        group = [r for r in records if r.level == level]
        if group:
            lines.append(f"\n; {level.upper()}: {MEANING[level]}.")
        for record in group:
            comment = f"{MADE_BY_CLOUDRON}; {record.consequence}" if record.made_by_cloudron else record.consequence
            lines.append(f"{record.name + '.':<{width}} {TTL} IN {record.type:<5} {record.data}  ; {comment}")
    return "\n".join(lines) + "\n"
