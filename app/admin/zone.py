"""A ready-to-paste BIND zone snippet with every record a mail domain needs."""

from __future__ import annotations

from ..settings import MailDomain, Settings
from .records import expected_records

CONTENT_TYPE = "text/plain; charset=utf-8"
# An hour: short enough that a fix spreads quickly, long enough to cache.
TTL = 3600


def snippet(settings: Settings, domain: MailDomain, previous_pacc_digest: str | None = None) -> str:
    """Absolute owner names (trailing dot), so it pastes into any zone file."""
    records = expected_records(settings, domain, previous_pacc_digest)
    width = max(len(r.name) for r in records) + 1
    lines = [f"; Mail client discovery for {domain.unicode_name}, as this app serves it."]
    for record in records:
        lines.append(f"{record.name + '.':<{width}} {TTL} IN {record.type:<5} {record.data}  ; {record.purpose}")
    return "\n".join(lines) + "\n"
