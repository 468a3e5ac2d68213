"""Memory of the app as Cloudron runs it: start.sh under bubblewrap (see
support/sandbox.py), then the PSS of every gunicorn process, idle and after
a burst of requests to every endpoint. Justifies memoryLimit in the manifest.

    .venv/bin/python -m bench.cloudron_memory [REQUESTS] [WORKERS ...]
"""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import requests

from support.inputs import RUNTIME_ENV, pox_request
from support.processes import REPO, pss_kib
from support.sandbox import cloudron_runtime


def burst(base: str, count: int) -> None:
    with requests.Session() as session:
        for i in range(count):
            domain = ("example.com", "example.org", "xn--bcher-kva.example")[i % 3]
            session.get(f"{base}/mail/config-v1.1.xml?emailaddress=user{i}@{domain}", timeout=5)
            session.post(f"{base}/autodiscover/autodiscover.xml", data=pox_request(), timeout=5)
            session.get(f"{base}/autodiscover/autodiscover.json/v1.0/user{i}@{domain}",
                        params={"Protocol": "AutodiscoverV1"}, timeout=5)


def measure(workers: int, requests_count: int) -> None:
    with tempfile.TemporaryDirectory() as work:
        data = Path(work, "data")
        data.mkdir()
        env = {**RUNTIME_ENV, "WEB_CONCURRENCY": str(workers)}
        with cloudron_runtime(data, Path(work), env) as sandbox:
            idle = [pss_kib(pid) for pid in sandbox.gunicorn_pids()]
            burst(sandbox.base_url, requests_count)
            busy = [pss_kib(pid) for pid in sandbox.gunicorn_pids()]
    print(f"workers={workers} requests={3 * requests_count}: PSS KiB master+workers "
          f"idle {idle} = {sum(idle)} ({sum(idle) / 1024:.1f} MiB), "
          f"after {busy} = {sum(busy)} ({sum(busy) / 1024:.1f} MiB)")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    limit = json.loads((REPO / "CloudronManifest.json").read_text())["memoryLimit"]
    print(f"manifest memoryLimit: {limit / 2**20:.0f} MiB")
    for workers in [int(w) for w in sys.argv[2:]] or [1, 2, 4]:
        measure(workers, count)


if __name__ == "__main__":
    main()
