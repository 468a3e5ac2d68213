"""The last discovery requests, for the admin page: time, endpoint, domain,
client family, HTTP status. Never an email address, never a User-Agent.

Gunicorn forks several workers from one master (preload_app), so a list in
each process would show only the requests of the worker that renders the
page. The record therefore lives in an anonymous shared mapping created
before the fork: every worker writes to a region of its own (claimed once,
under a lock shared by all processes) and reads everyone's. Writing needs no
lock between processes, only between a worker's threads, which keeps it off
the discovery requests' bill. It lives in RAM only: a restart empties it.
"""

from __future__ import annotations

import fcntl
import mmap
import os
import struct
import tempfile
import threading
import time
from dataclasses import dataclass
from functools import lru_cache

CAPACITY = 100
# Worker processes that can hold a region at once; a dead worker's region
# (gunicorn replaces workers that crash or time out) is taken over.
REGIONS = 16
DOMAIN_BYTES = 80
# seq, time, HTTP status, endpoint index, family index, domain (NUL padded), seq.
# The sequence number at both ends lets a reader skip a slot caught mid-write.
SLOT = struct.Struct(f"<QdHBB{DOMAIN_BYTES}sQ")
SEQ = struct.Struct("<Q")
# A region's owner pid and how many requests it has recorded.
REGION_HEAD = struct.Struct("<qQ")

ENDPOINTS = {
    "discovery.autoconfig_xml": "autoconfig",
    "discovery.autodiscover_xml": "Autodiscover XML",
    "discovery.autodiscover_json": "Autodiscover JSON",
    "discovery.pacc_document": "PACC",
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
    def __init__(self, capacity: int = CAPACITY, regions: int = REGIONS) -> None:
        self.capacity = capacity
        self._region_size = REGION_HEAD.size + capacity * SLOT.size
        self._regions = regions
        # Anonymous and MAP_SHARED: inherited by, and shared with, forked workers.
        self._memory = mmap.mmap(-1, regions * self._region_size)
        self._claim_lock = ProcessLock()
        self._thread_lock = threading.Lock()
        self._owner = 0  # the pid that claimed self._base (0: none yet)
        self._base = -1

    def record(self, endpoint: str | None, domain: str | None, user_agent: str, status: int) -> None:
        """Called after every discovery request: a few microseconds."""
        index = _ENDPOINT_INDEX.get(endpoint or "")
        if index is None:
            return
        family = _FAMILY_INDEX[client_family(user_agent)]
        name = (domain or "").encode("ascii", "replace")[:DOMAIN_BYTES]
        with self._thread_lock:
            base = self._region()
            if base < 0:
                return
            count = REGION_HEAD.unpack_from(self._memory, base)[1]
            offset = base + REGION_HEAD.size + (count % self.capacity) * SLOT.size
            # Start marker last: a reader sees either the old slot, a torn one
            # (markers differ, skipped) or the whole new one.
            SLOT.pack_into(self._memory, offset, 0, time.time(), status, index, family, name, count + 1)
            SEQ.pack_into(self._memory, offset, count + 1)
            REGION_HEAD.pack_into(self._memory, base, self._owner, count + 1)

    def entries(self) -> list[Entry]:
        """Every worker's, newest first, at most `capacity`."""
        raw = bytes(self._memory)
        entries = []
        for base in range(0, len(raw), self._region_size):
            owner, count = REGION_HEAD.unpack_from(raw, base)
            for n in range(max(count - self.capacity, 0), count):
                offset = base + REGION_HEAD.size + (n % self.capacity) * SLOT.size
                start, when, status, endpoint, family, name, end = SLOT.unpack_from(raw, offset)
                if start == end == n + 1:
                    entries.append(
                        Entry(
                            when,
                            _ENDPOINT_NAMES[endpoint],
                            name.rstrip(b"\0").decode("ascii") or None,
                            _FAMILY_NAMES[family],
                            status,
                        )
                    )
        entries.sort(key=lambda e: e.time, reverse=True)
        return entries[: self.capacity]

    def recorded(self) -> int:
        """How many requests were recorded since start, by every worker."""
        return sum(
            REGION_HEAD.unpack_from(self._memory, base)[1] for base in range(0, len(self._memory), self._region_size)
        )

    def _region(self) -> int:
        """This process's region (claimed on its first request), or -1."""
        pid = os.getpid()
        if self._owner != pid:
            with self._claim_lock:
                self._base = next(
                    (
                        base
                        for base in range(0, len(self._memory), self._region_size)
                        if _free(REGION_HEAD.unpack_from(self._memory, base)[0], pid)
                    ),
                    -1,
                )
                if self._base >= 0:
                    count = REGION_HEAD.unpack_from(self._memory, self._base)[1]
                    REGION_HEAD.pack_into(self._memory, self._base, pid, count)
            self._owner = pid
        return self._base


def _free(owner: int, pid: int) -> bool:
    """A region is free for `pid` if nobody, `pid` itself or a dead process owns it."""
    if owner in (0, pid):
        return True
    try:
        os.kill(owner, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class ProcessLock:
    """Excludes the other processes while one claims a region.

    A POSIX record lock on an unlinked file in /tmp, rather than
    multiprocessing.Lock: that needs a writable /dev/shm, which Cloudron's
    read-only runtime does not promise (/tmp, /run and /app/data it does).
    """

    def __init__(self) -> None:
        # Open for the app's lifetime: the lock lives as long as the ring.
        self._file = tempfile.TemporaryFile()  # noqa: SIM115

    def __enter__(self) -> None:
        fcntl.lockf(self._file, fcntl.LOCK_EX)

    def __exit__(self, *exc_info: object) -> None:
        fcntl.lockf(self._file, fcntl.LOCK_UN)
