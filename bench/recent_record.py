"""What recording one discovery request for the admin page costs.

Run: .venv/bin/python bench/recent_record.py
Prints microseconds per call of RecentRequests.record (the worker's own
region of a shared mapping), next to one whole autoconfig request through
Flask's test client (hook included), so the hook's share is visible.
"""
from __future__ import annotations

import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import create_app  # noqa: E402
from app.admin.recent import RecentRequests  # noqa: E402

AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird/128.3.0"
N = 200_000


def per_call(statement, number: int) -> float:
    return min(timeit.repeat(statement, number=number, repeat=5)) / number * 1e6


def main() -> None:
    recent = RecentRequests()
    record = per_call(lambda: recent.record("discovery.autoconfig_xml", "example.com", AGENT, 200), N)
    skipped = per_call(lambda: recent.record("discovery.health", None, "", 200), N)
    print(f"record(), discovery request: {record:.2f} µs")
    print(f"record(), other endpoint:    {skipped:.2f} µs")

    client = create_app({"ENVIRON": {"AUTOCONFIG_CONFIG_FILE": "/nonexistent"}}).test_client()
    url = "/mail/config-v1.1.xml?emailaddress=jane%40example.com"
    request = per_call(lambda: client.get(url, headers={"User-Agent": AGENT}), 5_000)
    print(f"whole autoconfig request (Flask test client, hook included): {request:.1f} µs")


if __name__ == "__main__":
    main()
