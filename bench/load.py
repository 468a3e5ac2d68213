"""Load: wrk in interleaved rounds on every server, a soak on the app, and
a burst of bad requests (attack.py) next to valid load."""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import BENCH, log
from bench.servers import Server
from support.inputs import pox_request

# Bad requests per second of each kind in the malicious burst (8 kinds), and
# the slow clients held open next to them when a proxy is in front.
ATTACK_RATE_PER_KIND = 25
SLOW_CLIENTS = 200


@dataclass(frozen=True)
class Endpoint:
    key: str
    title: str
    method: str
    path: str
    host: str
    expect: bytes  # a 200 answer must contain this: proof both servers say the same
    body: bytes | None = None


ENDPOINTS = (
    Endpoint("autoconfig_address", "autoconfig GET, with address", "GET",
             "/mail/config-v1.1.xml?emailaddress=jane%40example.com", "autoconfig.example.com",
             b"<hostname>my.example.com</hostname>"),
    Endpoint("autoconfig_host", "autoconfig GET, no address", "GET",
             "/mail/config-v1.1.xml", "autoconfig.example.com", b"<hostname>my.example.com</hostname>"),
    Endpoint("autodiscover_pox", "Autodiscover POX POST", "POST",
             "/autodiscover/autodiscover.xml", "autodiscover.example.com",
             b"<Server>my.example.com</Server>", pox_request()),
    Endpoint("autodiscover_json", "Autodiscover v2 JSON GET", "GET",
             "/autodiscover/autodiscover.json/v1.0/jane@example.com?Protocol=AutodiscoverV1",
             "autodiscover.example.com", b"autodiscover.example.com/autodiscover/autodiscover.xml"),
)


def request(base: str, endpoint: Endpoint, timeout: float = 5) -> tuple[int, bytes]:
    req = urllib.request.Request(base + endpoint.path, data=endpoint.body, method=endpoint.method,
                                 headers={"Host": endpoint.host, "Content-Type": "text/xml; charset=utf-8"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wrk(server: Server, endpoint: Endpoint, seconds: float, connections: int, work: Path) -> dict[str, Any]:
    env = dict(os.environ, WRK_METHOD=endpoint.method)
    if endpoint.body:
        body_file = work / f"{endpoint.key}.body"
        body_file.write_bytes(endpoint.body)
        env["WRK_BODY_FILE"] = str(body_file)
    argv = ["wrk", "-t2", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "5s",
            "-s", str(BENCH / "wrk.lua"), "-H", f"Host: {endpoint.host}", server.base + endpoint.path]
    cpu_before = server.cpu()
    out = subprocess.run(argv, env=env, capture_output=True, text=True, check=True).stdout
    cpu = server.cpu() - cpu_before
    raw = json.loads(next(line for line in out.splitlines() if line.startswith("WRK_JSON "))[9:])
    requests = raw["requests"]
    return {
        "requests": requests,
        "rps": requests / (raw["duration_us"] / 1e6),
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "socket_errors": raw["connect"] + raw["read"] + raw["write"] + raw["timeout"],
        "socket_error_detail": {k: raw[k] for k in ("connect", "read", "write", "timeout")},
        # wrk counts every answer >= 400 here, so zero also means zero 5xx.
        "non_2xx": raw["status"],
        "cpu_ms_per_request": cpu * 1000 / requests if requests else None,
    }


def supported(server: Server, endpoint: Endpoint) -> str | None:
    """None when the server answers this endpoint like the app does, else why not."""
    status, body = request(server.base, endpoint)
    if status != 200:
        return f"answers {status}"
    if endpoint.expect not in body:
        return "answers 200 without the mail server"
    return None


def load_rounds(servers: list[Server], args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """A B A B: every round loads each endpoint on each server in turn, so
    drift on a shared machine hits both sides alike."""
    results: dict[str, Any] = {}
    plan: list[tuple[Endpoint, Server]] = []
    for endpoint in ENDPOINTS:
        for server in servers:
            if server.name == "nginx" and endpoint.key != "autoconfig_address":
                continue
            why_not = supported(server, endpoint)
            entry: dict[str, Any] = {"n/a": why_not} if why_not else {"rounds": []}
            results.setdefault(endpoint.key, {})[server.name] = entry
            if not why_not:
                plan.append((endpoint, server))
    for number in range(1, args.rounds + 1):
        for endpoint, server in plan:
            run = wrk(server, endpoint, args.seconds, args.connections, work)
            results[endpoint.key][server.name]["rounds"].append(run)
            log(f"round {number} {endpoint.key:18} {server.name:8} {run['rps']:8.0f} req/s  "
                f"p50 {run['p50_ms']:6.1f} ms  p99 {run['p99_ms']:6.1f} ms  "
                f"cpu {run['cpu_ms_per_request']:.3f} ms/req  errors {run['socket_errors']}+{run['non_2xx']}")
    for per_server in results.values():
        for entry in per_server.values():
            if rounds := entry.get("rounds"):
                entry["median"] = {k: statistics.median(r[k] for r in rounds)
                                   for k in ("rps", "p50_ms", "p99_ms", "cpu_ms_per_request")}
                entry["errors"] = sum(r["socket_errors"] + r["non_2xx"] for r in rounds)
        app, other = per_server.get("app", {}), per_server.get("automx2", {})
        if app.get("rounds") and other.get("rounds"):
            ratios = [a["rps"] / b["rps"] for a, b in zip(app["rounds"], other["rounds"], strict=True)]
            per_server["ratio_per_round"] = ratios
            per_server["ratio_median"] = statistics.median(ratios)
    return results


def soak(app: Server, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Every endpoint for the full soak time at full concurrency, sampling
    the app's memory while it is under load."""
    results: dict[str, Any] = {}
    peak = 0
    for endpoint in ENDPOINTS:
        samples: list[int] = []
        stop = threading.Event()
        sampler = threading.Thread(target=_sample_pss, args=(app, stop, samples))
        sampler.start()
        run = wrk(app, endpoint, args.soak_seconds, args.connections, work)
        stop.set()
        sampler.join()
        peak = max([peak, *samples])
        results[endpoint.key] = run
        log(f"soak {endpoint.key:18} {run['rps']:8.0f} req/s  errors {run['socket_errors']}+{run['non_2xx']}")
    return {"runs": results, "peak_pss_bytes": peak}


def _sample_pss(server: Server, stop: threading.Event, samples: list[int]) -> None:
    """The server's PSS once a second until `stop` is set."""
    while not stop.wait(1):
        samples.append(server.pss())


def burst(target: Server, app: Server, args: argparse.Namespace, work: Path,
          slow_clients: int) -> dict[str, Any]:
    """Valid load alone, then the same valid load next to a burst of bad
    requests; the valid requests' latency must not double."""
    endpoint = ENDPOINTS[0]
    connections = max(2, args.connections // 4)
    baseline = wrk(target, endpoint, args.attack_seconds, connections, work)
    attacker = subprocess.Popen(
        [sys.executable, str(BENCH / "attack.py"), "127.0.0.1", str(target.port),
         str(args.attack_seconds), str(slow_clients), str(ATTACK_RATE_PER_KIND)],
        stdout=subprocess.PIPE, text=True)
    time.sleep(0.2)  # let the burst start before the measurement does
    under_attack = wrk(target, endpoint, args.attack_seconds, connections, work)
    attack = json.loads(attacker.communicate(timeout=args.attack_seconds + 60)[0])
    result = {
        "target": target.name,
        "valid_connections": connections,
        "baseline": baseline,
        "under_attack": under_attack,
        "attack": attack,
        "p50_ratio": under_attack["p50_ms"] / baseline["p50_ms"],
        "p99_ratio": under_attack["p99_ms"] / baseline["p99_ms"],
        "healthy_after": request(app.base, endpoint)[0] == 200,
    }
    log(f"burst via {target.name}: valid p50 {baseline['p50_ms']:.1f} -> {under_attack['p50_ms']:.1f} ms, "
        f"p99 {baseline['p99_ms']:.1f} -> {under_attack['p99_ms']:.1f} ms; attack {attack['totals']}")
    return result
