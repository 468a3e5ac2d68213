"""PACC on the dashboard: the digest served now and the one served before.

A PACC client trusts the document only if its SHA-256 is in a TXT record,
and any change to the settings changes it. The app cannot publish DNS, so
it remembers the last digest it served (in the data folder, across
restarts): after a change the dashboard asks for both records, the new one
to publish now and the old one to drop once clients have caught up.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..formats import pacc
from ..settings import Settings

log = logging.getLogger("autoconfig")

STATE_FILE = "pacc-digests.json"


@dataclass(frozen=True)
class Digests:
    current: str
    previous: str | None  # served before the last change of settings, if any


def remember(settings: Settings) -> dict[str, Digests]:
    """The digest of every domain's document, and the one it replaced.

    Called once at start (before gunicorn forks). A data folder that is
    missing or read-only costs the memory of the previous digest, never the
    app's start: one line in the log says so.
    """
    path = Path(settings.data_dir) / STATE_FILE
    stored = _read(path)
    digests: dict[str, Digests] = {}
    for domain in settings.domains:
        body = pacc.document(settings, domain)
        if body is None:
            continue
        current, before = pacc.digest(body), stored.get(domain.name, {})
        previous = before.get("previous") if before.get("current") == current else before.get("current")
        digests[domain.name] = Digests(current, previous if isinstance(previous, str) else None)
    merged = stored | {name: {"current": d.current, "previous": d.previous} for name, d in digests.items()}
    if digests and merged != stored:
        _write(path, merged)
    return digests


def _read(path: Path) -> dict[str, dict[str, object]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError):
        return {}  # nothing kept yet; writing will say if the folder is unusable
    except (OSError, ValueError) as exc:
        log.warning("PACC: cannot read %s (%s); previous digests are forgotten", path, exc)
        return {}
    return {k: v for k, v in data.items() if isinstance(v, dict)} if isinstance(data, dict) else {}


def _write(path: Path, state: Mapping[str, object]) -> None:
    """Atomically: a crash mid-write leaves the old file, never half a one."""
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".pacc-", suffix=".json")
    except OSError as exc:
        _cannot_keep(path, exc)
        return
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(state, out, indent=1, sort_keys=True)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        _cannot_keep(path, exc)


def _cannot_keep(path: Path, exc: OSError) -> None:
    log.warning("PACC: cannot keep the served digests in %s (%s); a rollover will not be shown", path.parent, exc)
