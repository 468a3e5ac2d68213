"""The benchmark's smoke mode: real gunicorn (production config), real wrk,
and the malicious burst from bench/attack.py, for about ten seconds.

It guards what the full benchmark (`make bench`) proves at length: every
discovery endpoint answers under concurrent load without an error, and bad
requests get a fast 4xx or the protocol's own error, never a 5xx.
"""
import json
import subprocess
import sys

from support.processes import REPO


def test_smoke_benchmark_serves_every_endpoint_and_refuses_bad_requests(tmp_path):
    subprocess.run([sys.executable, "-m", "bench", "--smoke", "--output", str(tmp_path / "smoke")],
                   cwd=REPO, check=True, capture_output=True, timeout=120)
    report = json.loads((tmp_path / "smoke.json").read_text())

    for endpoint, per_server in report["load"].items():
        (run,) = per_server["app"]["rounds"]
        assert run["requests"] > 100, endpoint
        assert run["socket_errors"] == 0 and run["non_2xx"] == 0, endpoint

    (burst,) = report["malicious"]
    kinds = burst["attack"]["kinds"]
    assert burst["attack"]["totals"]["5xx"] == 0
    assert burst["healthy_after"]
    assert set(kinds["oversized body, 1 MiB with Content-Length"]["statuses"]) <= {"413", "closed"}
    assert set(kinds["garbage bytes"]["statuses"]) == {"400"}
    assert set(kinds["request line over 4 KiB"]["statuses"]) == {"414"}
    assert set(kinds["200 header fields"]["statuses"]) == {"431"}
    # XML bombs get Autodiscover's own error document (HTTP 200), not a parse.
    assert set(kinds["XML bomb, billion laughs"]["statuses"]) == {"200"}
    assert (tmp_path / "smoke.md").read_text().startswith("# Benchmark results")
