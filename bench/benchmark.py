#!/usr/bin/env python3
"""Side-by-side benchmark: this app against automx2, and nginx serving a
static copy of the autoconfig document as the ceiling. All on loopback.

    make bench                       # the full run (under 10 minutes on 2 cores)
    python3 bench/benchmark.py --smoke   # a few seconds, this app only

It installs what it needs (wrk and nginx from Debian if missing, automx2
from PyPI into a throw-away virtualenv), starts every server with this
repository's gunicorn.conf.py, loads them with wrk in interleaved rounds,
and writes bench/results.md and bench/results.json (a smoke run writes
under bench/results/, which git ignores).

Standard library only: it runs under any python3, and the processes it
measures are the only Python doing work.
"""
from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
VENV_BIN = REPO / ".venv" / "bin"
# Pinned so that a rerun measures the same competitor.
AUTOMX2 = "automx2==2026.2"
CLK_TCK = os.sysconf("SC_CLK_TCK")
# Bad requests per second of each kind in the malicious burst (8 kinds), and
# the slow clients held open next to them when a proxy is in front.
ATTACK_RATE_PER_KIND = 25
SLOW_CLIENTS = 200
# Cloudron's default when the manifest sets no memoryLimit.
DEFAULT_MEMORY_LIMIT = 256 * 1024 * 1024

# One mail domain and one mail host, as Cloudron would hand them to the app.
CLOUDRON_ENV = {
    "CLOUDRON": "1",
    "CLOUDRON_APP_DOMAIN": "mailconfig.example.com",
    "CLOUDRON_APP_ORIGIN": "https://mailconfig.example.com",
    "CLOUDRON_ALIAS_DOMAINS": "autoconfig.example.com,autodiscover.example.com",
    "CLOUDRON_EMAIL_DOMAINS": "example.com",
    "CLOUDRON_EMAIL_DOMAIN": "example.com",
    "CLOUDRON_EMAIL_SERVER_HOST": "my.example.com",
}
# The same domain and servers for automx2 (its /initdb/ seed format, version 2).
AUTOMX2_SEED = {
    "version": 2,
    "provider": "Example Mail",
    "domains": [{"name": "example.com"}],
    "servers": [
        {"type": "imap", "name": "my.example.com", "port": 993},
        {"type": "smtp", "name": "my.example.com", "port": 587},
    ],
}
POX_BODY = (
    b'<?xml version="1.0" encoding="utf-8"?>\n'
    b'<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">'
    b"<Request><EMailAddress>jane@example.com</EMailAddress>"
    b"<AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"
    b"</AcceptableResponseSchema></Request></Autodiscover>"
)


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
             b"<Server>my.example.com</Server>", POX_BODY),
    Endpoint("autodiscover_json", "Autodiscover v2 JSON GET", "GET",
             "/autodiscover/autodiscover.json/v1.0/jane@example.com?Protocol=AutodiscoverV1",
             "autodiscover.example.com", b"autodiscover.example.com/autodiscover/autodiscover.xml"),
)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# ---------------------------------------------------------------- /proc

def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # comm may contain spaces and parentheses: split after the last ')'.
    return text[text.rindex(")") + 2:].split()


def tree_pids(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(int(entry))):
            children.setdefault(int(fields[1]), []).append(int(entry))
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(children.get(pid, ()))
    return pids


def tree_cpu_seconds(root: int) -> float:
    """utime+stime of every live process in the tree, plus what the reaped
    ones used (cutime+cstime), so a worker that restarts is still counted."""
    ticks = 0
    for pid in tree_pids(root):
        if fields := _stat(pid):
            ticks += sum(int(v) for v in fields[11:15])
    return ticks / CLK_TCK


def tree_pss_bytes(root: int) -> int:
    """Summed PSS: shared pages are split between the processes sharing
    them, so the sum counts them once, as the memory cgroup does."""
    total = 0
    for pid in tree_pids(root):
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        total += int(re.search(r"^Pss:\s+(\d+) kB", rollup, re.M).group(1)) * 1024
    return total


# ---------------------------------------------------------------- servers

def free_port() -> int:
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(base: str, endpoint: Endpoint, timeout: float = 5) -> tuple[int, bytes]:
    req = urllib.request.Request(base + endpoint.path, data=endpoint.body, method=endpoint.method,
                                 headers={"Host": endpoint.host, "Content-Type": "text/xml; charset=utf-8"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@dataclass
class Server:
    name: str
    argv: list[str]
    env: dict[str, str]
    cwd: Path
    port: int
    health_path: str
    log_path: Path
    process: subprocess.Popen | None = None
    started_in: float = 0.0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> float:
        """Start and wait for the first 200 on the health path; return the
        seconds from process start to that answer."""
        log_file = open(self.log_path, "ab")
        begin = time.monotonic()
        self.process = subprocess.Popen(self.argv, env=self.env, cwd=self.cwd,
                                        stdout=log_file, stderr=subprocess.STDOUT)
        log_file.close()
        while time.monotonic() - begin < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {self.log_path}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                conn.request("GET", self.health_path)
                if conn.getresponse().status == 200:
                    self.started_in = time.monotonic() - begin
                    conn.close()
                    return self.started_in
                conn.close()
            except OSError:
                pass
            time.sleep(0.005)
        raise TimeoutError(f"{self.name} not healthy after {timeout}s; see {self.log_path}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def cpu(self) -> float:
        return tree_cpu_seconds(self.process.pid)

    def pss(self) -> int:
        return tree_pss_bytes(self.process.pid)


def server_environ() -> dict[str, str]:
    """This shell's environment without what would change the servers' settings
    behind gunicorn.conf.py's back (ACCESS_LOG stays: it is a documented switch)."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("CLOUDRON", "WEB_CONCURRENCY"))}


def gunicorn_server(name: str, gunicorn: Path, app: str, env: dict[str, str], work: Path,
                    health_path: str, extra: list[str]) -> Server:
    port = free_port()
    base_env = server_environ()
    # Exactly what start.sh runs: this repository's gunicorn.conf.py, BIND from the env.
    argv = [str(gunicorn), "-c", str(REPO / "gunicorn.conf.py"), *extra, app]
    return Server(name, argv, {**base_env, **env, "BIND": f"127.0.0.1:{port}"}, REPO, port,
                  health_path, work / f"{name}.log")


def app_server(work: Path, extra: list[str]) -> Server:
    env = {**CLOUDRON_ENV, "AUTOCONFIG_CONFIG_FILE": str(work / "absent-config.toml")}
    return gunicorn_server("app", VENV_BIN / "gunicorn", "app:create_app()", env, work, "/healthz", extra)


def automx2_server(work: Path, extra: list[str]) -> Server:
    """automx2 in a throw-away virtualenv, with the same gunicorn and the same
    gunicorn.conf.py, on an SQLite file seeded through its /initdb/ route."""
    venv = work / "automx2-venv"
    log(f"installing {AUTOMX2} into {venv}")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    gunicorn_pin = next(line.strip() for line in (REPO / "requirements.txt").read_text().splitlines()
                        if line.lower().startswith("gunicorn=="))
    subprocess.run([str(venv / "bin/pip"), "install", "--quiet", "--disable-pip-version-check",
                    AUTOMX2, gunicorn_pin], check=True)
    conf = work / "automx2.conf"
    # proxy_count = 1: automx2 trusts one proxy hop, as this app does.
    conf.write_text(f"[automx2]\nloglevel = WARNING\ndb_echo = no\n"
                    f"db_uri = sqlite:///{work}/automx2.db\nproxy_count = 1\n")
    # automx2 has no health route; its site root answers 200.
    server = gunicorn_server("automx2", venv / "bin/gunicorn", "automx2.server:app",
                             {"AUTOMX2_CONF": str(conf)}, work, "/", extra)
    server.start()
    req = urllib.request.Request(server.base + "/initdb/", data=json.dumps(AUTOMX2_SEED).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=10) as response:
        response.read()
    server.stop()
    return server


def nginx(work: Path, name: str, cores: int, server_block: str) -> Server | None:
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        return None
    port = free_port()
    conf = work / f"{name}.conf"
    temp = "\n".join(f"    {kind}_temp_path {work}/{name}-{kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf.write_text(f"""{"user root;" if os.geteuid() == 0 else ""}
worker_processes {cores};
pid {work}/{name}.pid;
error_log {work}/{name}-error.log;
events {{ worker_connections 4096; }}
http {{
    access_log off;
{temp}
    types {{ application/xml xml; }}
    server {{
        listen 127.0.0.1:{port};
        location = /healthz {{ return 200 "ok\\n"; }}
{server_block}
    }}
}}
""")
    return Server(name, [binary, "-c", str(conf), "-g", "daemon off;"], dict(os.environ), work,
                  port, "/healthz", work / f"{name}.log")


def static_ceiling(work: Path, document: bytes, cores: int) -> Server | None:
    """nginx serving the app's autoconfig document as a static file: the
    fastest any server can answer on this machine."""
    (work / "static" / "mail").mkdir(parents=True, exist_ok=True)
    (work / "static" / "mail" / "config-v1.1.xml").write_bytes(document)
    return nginx(work, "nginx", cores, f"        root {work}/static;")


def cloudron_proxy(work: Path, app: Server, cores: int) -> Server | None:
    """A reverse proxy in front of the app, as Cloudron's nginx is in front
    of every app: it reads whole requests (headers, then the buffered body)
    before it opens a connection to the app, so slow clients wait on nginx."""
    return nginx(work, "proxy", cores, f"""        client_header_timeout 10s;
        client_body_timeout 10s;
        location / {{
            proxy_pass http://127.0.0.1:{app.port};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}""")


# ---------------------------------------------------------------- load

def wrk(server: Server, endpoint: Endpoint, seconds: float, connections: int, work: Path) -> dict:
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


def load_rounds(servers: list[Server], args, work: Path) -> dict:
    """A B A B: every round loads each endpoint on each server in turn, so
    drift on a shared machine hits both sides alike."""
    results: dict = {}
    plan = []
    for endpoint in ENDPOINTS:
        for server in servers:
            if server.name == "nginx" and endpoint.key != "autoconfig_address":
                continue
            why_not = supported(server, endpoint)
            results.setdefault(endpoint.key, {})[server.name] = {"n/a": why_not} if why_not else {"rounds": []}
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
            ratios = [a["rps"] / b["rps"] for a, b in zip(app["rounds"], other["rounds"])]
            per_server["ratio_per_round"] = ratios
            per_server["ratio_median"] = statistics.median(ratios)
    return results


def soak(app: Server, args, work: Path) -> dict:
    """Every endpoint for the full soak time at full concurrency, sampling
    the app's memory while it is under load."""
    results, peak = {}, 0
    for endpoint in ENDPOINTS:
        samples: list[int] = []
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(1):
                samples.append(app.pss())
        sampler = threading.Thread(target=sample)
        sampler.start()
        run = wrk(app, endpoint, args.soak_seconds, args.connections, work)
        stop.set()
        sampler.join()
        peak = max([peak, *samples])
        results[endpoint.key] = run
        log(f"soak {endpoint.key:18} {run['rps']:8.0f} req/s  errors {run['socket_errors']}+{run['non_2xx']}")
    return {"runs": results, "peak_pss_bytes": peak}


def burst(target: Server, app: Server, args, work: Path, slow_clients: int) -> dict:
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


# ---------------------------------------------------------------- setup

def ensure_debian_packages(packages: dict[str, str]) -> None:
    """{command: package}: apt-get only what is missing."""
    missing = [pkg for cmd, pkg in packages.items() if not shutil.which(cmd) and not Path(f"/usr/sbin/{cmd}").exists()]
    if missing:
        log(f"installing Debian packages: {' '.join(missing)}")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
                       check=True, env=env)


def manifest_memory_limit() -> int:
    manifest = REPO / "CloudronManifest.json"
    if manifest.exists():
        return int(json.loads(manifest.read_text()).get("memoryLimit", DEFAULT_MEMORY_LIMIT))
    return DEFAULT_MEMORY_LIMIT


def gunicorn_settings(extra: list[str]) -> dict:
    out = subprocess.run([str(VENV_BIN / "gunicorn"), "-c", str(REPO / "gunicorn.conf.py"), *extra,
                          "--print-config", "app:create_app()"],
                         cwd=REPO, capture_output=True, text=True, env={**server_environ(), "BIND": "127.0.0.1:0"})
    wanted = ("workers", "worker_class", "threads", "preload_app", "keepalive", "accesslog", "timeout")
    settings = {}
    for line in out.stdout.splitlines():
        key, _, value = line.partition("=")
        if key.strip() in wanted:
            settings[key.strip()] = value.strip()
    return settings


# ---------------------------------------------------------------- report

BURST_TITLES = {"app": "straight at gunicorn",
                "proxy": f"with {SLOW_CLIENTS} slow clients, through a Cloudron-like nginx proxy"}


def mb(value: int) -> str:
    return f"{value / 1024 / 1024:.1f} MB"


def fmt(value, spec: str = ".0f") -> str:
    return "n/a" if value is None else format(value, spec)


def markdown(report: dict) -> str:
    m = report["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"- Date: {report['date']}; machine: {m['cores']} cores ({m['cpu']}), {m['memory']}, "
        f"Linux {m['kernel']}, Python {m['python']}.",
        f"- Command: `{report['command']}`",
        (f"- Servers, all on loopback: this app and {report['automx2']} (SQLite, seeded with the same domain "
         "and servers), both under gunicorn with this repository's `gunicorn.conf.py` "
         if report["automx2"] != "n/a" else "- Servers, all on loopback: this app (smoke run), under gunicorn with "
         "this repository's `gunicorn.conf.py` ")
        + f"({', '.join(f'{k}={v}' for k, v in report['gunicorn'].items())}); "
        "nginx serving a static copy of the autoconfig document as the ceiling.",
        f"- Load: wrk, {report['connections']} connections, {report['seconds']} s per run, "
        f"{report['rounds']} interleaved rounds (app, automx2, nginx per endpoint). "
        f"Whole run: {report['elapsed_seconds']:.0f} s.",
        "",
        "## Throughput, latency, CPU (medians over the rounds)",
        "",
        "| Endpoint | Server | req/s | p50 ms | p99 ms | CPU ms/req | errors | app/automx2 per round | median ratio |",
        "|---|---|--:|--:|--:|--:|--:|---|--:|",
    ]
    for endpoint in ENDPOINTS:
        per_server = report["load"][endpoint.key]
        for name in ("app", "automx2", "nginx"):
            entry = per_server.get(name)
            if entry is None:
                continue
            ratio_cells = ["", ""]
            if name == "app" and "ratio_median" in per_server:
                ratio_cells = [" / ".join(f"{r:.1f}x" for r in per_server["ratio_per_round"]),
                               f"**{per_server['ratio_median']:.1f}x**"]
            if "n/a" in entry:
                lines.append(f"| {endpoint.title} | {name} | n/a ({entry['n/a']}) | | | | | | |")
                continue
            med = entry["median"]
            lines.append(f"| {endpoint.title} | {name} | {med['rps']:.0f} | {med['p50_ms']:.1f} | "
                         f"{med['p99_ms']:.1f} | {med['cpu_ms_per_request']:.3f} | {entry['errors']} | "
                         f"{ratio_cells[0]} | {ratio_cells[1]} |")
    soak_runs = report.get("soak", {}).get("runs", {})
    if soak_runs:
        lines += ["", f"## Soak: {report['connections']} connections, {report['soak_seconds']} s per endpoint (app)",
                  "", "| Endpoint | requests | req/s | p99 ms | socket errors | non-2xx |", "|---|--:|--:|--:|--:|--:|"]
        for endpoint in ENDPOINTS:
            run = soak_runs[endpoint.key]
            lines.append(f"| {endpoint.title} | {run['requests']} | {run['rps']:.0f} | {run['p99_ms']:.1f} | "
                         f"{run['socket_errors']} | {run['non_2xx']} |")
    mem = report["memory"]
    lines += ["", "## Memory and start", "",
              "| | app | automx2 |", "|---|--:|--:|",
              f"| PSS at idle (master + workers) | {mb(mem['app_idle_pss'])} | "
              f"{mb(mem['automx2_idle_pss']) if mem.get('automx2_idle_pss') else 'n/a'} |",
              f"| PSS peak under load | {mb(mem['app_load_pss'])} | "
              f"{mb(mem['automx2_load_pss']) if mem.get('automx2_load_pss') else 'n/a'} |",
              f"| Headroom under `memoryLimit` {mb(mem['memory_limit'])} | "
              f"{100 * (1 - mem['app_load_pss'] / mem['memory_limit']):.0f}% | |",
              f"| Start to first 200 on /healthz (median of {len(report['start_seconds'])}) | "
              f"{statistics.median(report['start_seconds']):.2f} s | |"]
    for bad in report["malicious"]:
        lines += ["", f"## Malicious burst next to valid load, {BURST_TITLES[bad['target']]}", "",
                  f"Valid load: wrk, {bad['valid_connections']} connections, autoconfig with address. "
                  f"Bad requests: {ATTACK_RATE_PER_KIND}/s of each kind below.", "",
                  "| | valid p50 ms | valid p99 ms | valid req/s | valid errors |", "|---|--:|--:|--:|--:|"]
        for label, run in (("alone", bad["baseline"]), ("during the burst", bad["under_attack"])):
            lines.append(f"| {label} | {run['p50_ms']:.1f} | {run['p99_ms']:.1f} | {run['rps']:.0f} | "
                         f"{run['socket_errors'] + run['non_2xx']} |")
        lines.append(f"| ratio | {bad['p50_ratio']:.2f}x | {bad['p99_ratio']:.2f}x | | |")
        lines += ["", "| Bad request kind | sent | answers (status: count) | median time to answer ms |",
                  "|---|--:|---|--:|"]
        for kind, entry in bad["attack"]["kinds"].items():
            statuses = ", ".join(f"{k}: {v}" for k, v in sorted(entry["statuses"].items()))
            lines.append(f"| {kind} | {entry['sent']} | {statuses} | {fmt(entry['median_ms'], '.1f')} |")
        lines += ["", f"5xx answers to bad requests: {bad['attack']['totals']['5xx']}; app healthy afterwards: "
                  f"{'yes' if bad['healthy_after'] else 'NO'}."]
    lines += ["", "## Targets", ""]
    lines += [f"- {'met' if ok else 'MISSED'}: {text}" for text, ok in report["targets"]]
    return "\n".join(lines) + "\n"


def targets(report: dict) -> list[tuple[str, bool]]:
    out = []
    load = report["load"]
    for endpoint in ENDPOINTS:
        per_server = load[endpoint.key]
        if "ratio_median" in per_server:
            out.append((f"{endpoint.title}: throughput {per_server['ratio_median']:.1f}x automx2 (>= 8x)",
                        per_server["ratio_median"] >= 8))
        cpu = per_server["app"]["median"]["cpu_ms_per_request"]
        out.append((f"{endpoint.title}: app CPU {cpu:.3f} ms/request (<= 0.3)", cpu <= 0.3))
    soak_runs = report.get("soak", {}).get("runs")
    if soak_runs:
        errors = sum(r["socket_errors"] + r["non_2xx"] for r in soak_runs.values())
        out.append((f"zero errors and zero 5xx at {report['connections']} connections for "
                    f"{report['soak_seconds']} s per endpoint ({errors} errors)", errors == 0))
    mem = report["memory"]
    out.append((f"idle PSS {mb(mem['app_idle_pss'])} (< 80 MB)", mem["app_idle_pss"] < 80 * 1024 * 1024))
    out.append((f"PSS under load {mb(mem['app_load_pss'])}: >= 40% headroom under {mb(mem['memory_limit'])}",
                mem["app_load_pss"] <= 0.6 * mem["memory_limit"]))
    start = statistics.median(report["start_seconds"])
    out.append((f"start to healthy {start:.2f} s (< 1.5 s)", start < 1.5))
    for bad in report["malicious"]:
        worst = max(bad["p50_ratio"], bad["p99_ratio"])
        five = bad["attack"]["totals"]["5xx"]
        out.append((f"malicious burst {BURST_TITLES[bad['target']]}: valid latency x{worst:.2f} (< 2x), "
                    f"{five} 5xx", worst < 2 and five == 0 and bad["healthy_after"]))
    return out


# ---------------------------------------------------------------- main

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="a few seconds, this app only, no installs")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10, help="per wrk run in a round")
    parser.add_argument("--soak-seconds", type=float, default=30, help="per endpoint, app only")
    parser.add_argument("--attack-seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--no-automx2", action="store_true")
    parser.add_argument("--output", type=Path, help="results file stem (default bench/results)")
    parser.add_argument("--gunicorn-arg", action="append", default=[],
                        help="extra gunicorn flag for experiments, e.g. --gunicorn-arg=--threads=4")
    args = parser.parse_args()
    if args.smoke:
        args.rounds, args.seconds, args.soak_seconds, args.attack_seconds = 1, 1, 0, 1
        args.connections, args.starts, args.no_automx2 = 20, 1, True
    output = args.output or (BENCH / "results" / "smoke" if args.smoke else BENCH / "results")
    command = " ".join(shlex.quote(a) for a in ["python3", "bench/benchmark.py", *sys.argv[1:]])
    if os.environ.get("MAKELEVEL") and not sys.argv[1:]:
        command = "make bench"
    started = time.monotonic()

    if not args.smoke:
        ensure_debian_packages({"wrk": "wrk", "nginx": "nginx-light"})
        subprocess.run(["make", "-s", ".venv/.installed"], cwd=REPO, check=True)
    extra = args.gunicorn_arg
    cores = os.cpu_count() or 1
    report: dict = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": command,
        "machine": {
            "cores": cores,
            "cpu": next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                         if line.startswith("model name")), platform.machine()),
            "memory": mb(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")),
            "kernel": platform.release(),
            "python": platform.python_version(),
        },
        "gunicorn": gunicorn_settings(extra),
        "automx2": "n/a" if args.no_automx2 else AUTOMX2,
        "rounds": args.rounds, "seconds": args.seconds, "soak_seconds": args.soak_seconds,
        "connections": args.connections,
    }
    with tempfile.TemporaryDirectory(prefix="autoconfig-bench-") as tmp:
        work = Path(tmp)
        app = app_server(work, extra)
        log(f"app: {' '.join(app.argv)}")
        starts = []
        for _ in range(args.starts):
            starts.append(app.start())
            app.stop()
        report["start_seconds"] = starts
        log(f"start to healthy: {', '.join(f'{s:.2f}' for s in starts)} s")

        servers = [app]
        other = None if args.no_automx2 else automx2_server(work, extra)
        try:
            app.start()
            time.sleep(1)
            memory = {"app_idle_pss": app.pss(), "memory_limit": manifest_memory_limit()}
            if other:
                other.start()
                time.sleep(1)
                memory["automx2_idle_pss"] = other.pss()
                servers.append(other)
            if not args.smoke:
                status, document = request(app.base, ENDPOINTS[0])
                ceiling = static_ceiling(work, document, cores)
                if ceiling:
                    ceiling.start()
                    servers.append(ceiling)
            report["load"] = load_rounds(servers, args, work)
            if other:
                memory["automx2_load_pss"] = other.pss()
            for server in servers[1:]:
                server.stop()
            if args.soak_seconds:
                report["soak"] = soak(app, args, work)
            memory["app_load_pss"] = max(report.get("soak", {}).get("peak_pss_bytes", 0), app.pss())
            report["memory"] = memory
            # Bad requests straight at gunicorn: what the app itself refuses.
            report["malicious"] = [burst(app, app, args, work, slow_clients=0)]
            # Slow clients too, through the proxy every Cloudron app sits behind.
            proxy = None if args.smoke else cloudron_proxy(work, app, cores)
            if proxy:
                servers.append(proxy)
                proxy.start()
                report["malicious"].append(burst(proxy, app, args, work, slow_clients=SLOW_CLIENTS))
        finally:
            for server in servers:
                server.stop()
    report["targets"] = targets(report)
    report["elapsed_seconds"] = round(time.monotonic() - started, 1)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
    output.with_suffix(".md").write_text(markdown(report))
    print(markdown(report))
    log(f"done in {report['elapsed_seconds']} s; wrote {output.with_suffix('.md')} and .json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
