"""The side-by-side benchmark (`make bench`, `python3 -m bench`), split by
job: servers.py starts what is measured, load.py loads it with wrk,
report.py writes the results and checks the targets, __main__.py runs it all.
"""
from __future__ import annotations

import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)
