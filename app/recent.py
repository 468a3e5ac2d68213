"""The last discovery requests, for the admin page: time, endpoint, domain,
client family, HTTP status. Never an email address, never a User-Agent.

Gunicorn forks several workers from one master (preload_app), so a list in
each process would show only the requests of the worker that renders the
page. The ring is therefore an anonymous shared mapping created before the
fork, guarded by a lock that every worker shares: all of them write to and
read the same memory. It lives in RAM only, so a restart empties it.
"""
from __future__ import annotations

import fcntl
import mmap
import struct
import tempfile
import threading
import time
from dataclasses import dataclass
from functools import lru_cache

CAPACITY = 100
DOMAIN_BYTES = 80
# time, HTTP status, endpoint index, family index, domain (ASCII, NUL padded)
SLOT = struct.Struct(f"<dHBB{DOMAIN_BYTES}s")
COUNTER = struct.Struct("<Q")

ENDPOINTS = {
    "discovery.autoconfig_xml": "autoconfig",
    "discovery.autodiscover_xml": "Autodiscover XML",
    "discovery.autodiscover_json": "Autodiscover JSON",
}
_ENDPOINT_NAMES = tuple(ENDPOINTS.values())
_ENDPOINT_INDEX = {endpoint: i for i, endpoint in enumerate(ENDPOINTS)}

# First match wins (lower-case substrings of the User-Agent): Thunderbird's
# User-Agent also says Mozilla, so browsers come last.
FAMILIES = (
    ("mailautoconfig-selftest", "this page's self-test"),
    ("k-9", "Thunderbird for Android / K-9"),
    ("k9mail", "Thunderbird for Android / K-9"),
    ("thunderbird", "Thunderbird"),
    ("evolution", "Evolution"),
    ("kmail", "KMail"),
    ("akonadi", "KMail"),
    ("deltachat", "Delta Chat"),
    ("delta chat", "Delta Chat"),
    ("geary", "Geary"),
    ("em client", "eM Client"),
    ("emclient", "eM Client"),
    ("outlook", "Outlook"),
    ("microsoft office", "Outlook"),
    ("exchangelib", "exchangelib (Python)"),
    ("curl", "script"),
    ("wget", "script"),
    ("python-requests", "script"),
    ("mozilla/", "web browser"),
)
UNKNOWN = "other"
_FAMILY_NAMES = tuple(dict.fromkeys([UNKNOWN] + [name for _, name in FAMILIES]))
_FAMILY_INDEX = {name: i for i, name in enumerate(_FAMILY_NAMES)}


# Clients send a few distinct User-Agents, over and over: remember the answers.
@lru_cache(maxsize=256)
def client_family(user_agent: str) -> str:
    agent = user_agent.lower()
    return next((name for needle, name in FAMILIES if needle in agent), UNKNOWN)


@dataclass(frozen=True)
class Entry:
    time: float
    endpoint: str
    domain: str | None
    family: str
    status: int


class RecentRequests:
    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        # Anonymous and MAP_SHARED: inherited by, and shared with, forked workers.
        self._memory = mmap.mmap(-1, COUNTER.size + capacity * SLOT.size)
        self._lock = SharedLock()

    def record(self, endpoint: str | None, domain: str | None, user_agent: str,
               status: int) -> None:
        """Called after every discovery request: a few microseconds."""
        index = _ENDPOINT_INDEX.get(endpoint)
        if index is None:
            return
        slot = SLOT.pack(time.time(), status, index, _FAMILY_INDEX[client_family(user_agent)],
                         (domain or "").encode("ascii", "replace")[:DOMAIN_BYTES])
        with self._lock:
            (count,) = COUNTER.unpack_from(self._memory, 0)
            self._memory[self._offset(count):self._offset(count) + SLOT.size] = slot
            COUNTER.pack_into(self._memory, 0, count + 1)

    def entries(self) -> list[Entry]:
        """Newest first."""
        with self._lock:
            (count,) = COUNTER.unpack_from(self._memory, 0)
            raw = bytes(self._memory)
        entries = []
        for n in range(count - 1, max(count - self.capacity, 0) - 1, -1):
            when, status, endpoint, family, domain = SLOT.unpack_from(raw, self._offset(n))
            entries.append(Entry(when, _ENDPOINT_NAMES[endpoint],
                                 domain.rstrip(b"\0").decode("ascii") or None,
                                 _FAMILY_NAMES[family], status))
        return entries

    def _offset(self, n: int) -> int:
        return COUNTER.size + (n % self.capacity) * SLOT.size


class SharedLock:
    """Excludes the other workers and the other threads of this one.

    A POSIX record lock on an unlinked file in /tmp, rather than
    multiprocessing.Lock: that needs a writable /dev/shm, which Cloudron's
    read-only runtime does not promise (/tmp, /run and /app/data it does).
    Record locks belong to a process, so the thread lock covers threads.
    """

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()
        self._threads = threading.Lock()

    def __enter__(self) -> None:
        self._threads.acquire()
        fcntl.lockf(self._file, fcntl.LOCK_EX)

    def __exit__(self, *exc_info) -> None:
        fcntl.lockf(self._file, fcntl.LOCK_UN)
        self._threads.release()
