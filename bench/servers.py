"""The servers under load, all on loopback: this app and automx2, both under
gunicorn with this repository's gunicorn.conf.py, and nginx as the static
ceiling and as a Cloudron-like proxy in front of the app."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench import log
from support.inputs import CLOUDRON_ENV
from support.processes import (
    REPO,
    free_port,
    gunicorn_command,
    gunicorn_environ,
    tree_cpu_seconds,
    tree_pss_kib,
    wait_for_health,
    wait_or_kill,
)

# The app's own virtualenv: the benchmark itself may run under any python3.
VENV_BIN = REPO / ".venv" / "bin"
# Pinned so that a rerun measures the same competitor.
AUTOMX2 = "automx2==2026.2"

# One mail domain and one mail host, as Cloudron would hand them to the app:
# the same one automx2 is seeded with, so both do the same work.
APP_ENV = {**CLOUDRON_ENV, "CLOUDRON_EMAIL_DOMAINS": "example.com",
           "CLOUDRON_ALIAS_DOMAINS": "autoconfig.example.com,autodiscover.example.com"}
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


@dataclass
class Server:
    name: str
    argv: list[str]
    env: dict[str, str]
    cwd: Path
    port: int
    health_path: str
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> float:
        """Start and wait for the first 200 on the health path; return the
        seconds from process start to that answer."""
        begin = time.monotonic()
        with open(self.log_path, "ab") as log_file:
            self.process = subprocess.Popen(self.argv, env=self.env, cwd=self.cwd,
                                            stdout=log_file, stderr=subprocess.STDOUT)
        try:
            wait_for_health(self.base + self.health_path, self.process, timeout)
        except (RuntimeError, TimeoutError) as error:
            raise RuntimeError(f"{self.name}: {error}; see {self.log_path}") from error
        return time.monotonic() - begin

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            wait_or_kill(self.process)
        self.process = None

    def cpu(self) -> float:
        return tree_cpu_seconds(self.pid)

    def pss(self) -> int:
        """Bytes."""
        return tree_pss_kib(self.pid) * 1024

    @property
    def pid(self) -> int:
        if self.process is None:
            raise RuntimeError(f"{self.name} is not running")
        return self.process.pid


def gunicorn_server(name: str, gunicorn: Path, app: str, env: dict[str, str], work: Path,
                    health_path: str, extra: list[str]) -> Server:
    port = free_port()
    return Server(name, gunicorn_command(gunicorn, extra, app), gunicorn_environ(env, f"127.0.0.1:{port}"),
                  REPO, port, health_path, work / f"{name}.log")


def app_server(work: Path, extra: list[str]) -> Server:
    env = {**APP_ENV, "AUTOCONFIG_CONFIG_FILE": str(work / "absent-config.toml")}
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


def gunicorn_settings(extra: list[str]) -> dict[str, str]:
    """The settings gunicorn.conf.py gives the app's gunicorn, for the report."""
    out = subprocess.run(gunicorn_command(VENV_BIN / "gunicorn", [*extra, "--print-config"]), cwd=REPO,
                         capture_output=True, text=True, check=True, env=gunicorn_environ({}, "127.0.0.1:0"))
    wanted = ("workers", "worker_class", "threads", "preload_app", "keepalive", "accesslog", "timeout")
    settings: dict[str, str] = {}
    for line in out.stdout.splitlines():
        key, _, value = line.partition("=")
        if key.strip() in wanted:
            settings[key.strip()] = value.strip()
    return settings


def ensure_debian_packages(packages: dict[str, str]) -> None:
    """{command: package}: apt-get only what is missing."""
    missing = [pkg for cmd, pkg in packages.items() if not shutil.which(cmd) and not Path(f"/usr/sbin/{cmd}").exists()]
    if missing:
        log(f"installing Debian packages: {' '.join(missing)}")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
                       check=True, env=env)
