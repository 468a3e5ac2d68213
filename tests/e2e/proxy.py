"""A real nginx playing Cloudron's reverse proxy, for any end-to-end test.

nginx listens on a random 127.x.y.z address, on 443 (TLS, with a leaf from
tests/pki.py for the names asked) and on 80 (plain HTTP, passed through: unlike
Cloudron, which redirects port 80 to https, so the app's own answers over http
can be checked). It sends the headers Cloudron's proxy sends: Host,
X-Forwarded-For, -Proto, -Host and -Port.

Clients reach names with curl --resolve (Proxy.curl): nothing edits /etc/hosts.

    with nginx_proxy(upstream="127.0.0.1:8000", names=[...], folder=tmp) as proxy:
        response = proxy.curl("https://autoconfig.example.com/healthz")
"""

from __future__ import annotations

import os
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from support.processes import random_loopback, wait_for_port
from tests.pki import make_ca

CONFIG = """
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
{user}
events {{ worker_connections 128; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;

    server {{
        listen {address}:80;
        listen {address}:443 ssl;
        server_name _;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        # Stock nginx drops request headers with underscores; other proxies
        # pass them. Passed here, so that a SCRIPT_NAME or PATH_INFO header
        # from a client reaches the app, as it would behind those.
        underscores_in_headers on;
{guard}
        location / {{
            proxy_pass http://{upstream};
            # The app sees the proxy's own address as the TCP peer, as an app
            # on Cloudron sees CLOUDRON_PROXY_IP.
            proxy_bind {address};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            # What Cloudron's proxy sends to every app.
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Host $host;
            proxy_set_header X-Forwarded-Port $server_port;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


# What Cloudron's proxyAuth does to a visitor without a login: /admin never
# reaches the app.
ADMIN_GUARD = """
        location /admin {
            return 401 "sign in first";
        }
"""


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


@dataclass
class Proxy:
    address: str
    root_ca: Path  # the trust anchor curl verifies against
    folder: Path
    process: subprocess.Popen = field(repr=False)

    def curl(self, url: str, *options: str, data: bytes | None = None) -> Response:
        """One request with real curl, the URL's host resolved to this proxy,
        certificates verified, redirects not followed."""
        host = urlsplit(url).hostname
        head = self.folder / "last-headers"
        command = [
            "curl",
            "--silent",
            "--show-error",
            "--max-time",
            "10",
            "--noproxy",
            "*",
            "--cacert",
            str(self.root_ca),
            "--dump-header",
            str(head),
            "--output",
            "-",
            "--resolve",
            f"{host}:80:{self.address}",
            "--resolve",
            f"{host}:443:{self.address}",
            *options,
        ]
        if data is not None:
            command += ["--data-binary", "@-"]
        done = subprocess.run([*command, url], input=data, capture_output=True, timeout=15, check=True)
        lines = head.read_text("latin-1").strip().splitlines()
        headers = dict(line.split(":", 1) for line in lines[1:] if ":" in line)
        return Response(
            int(lines[0].split()[1]), {k.strip().lower(): v.strip() for k, v in headers.items()}, done.stdout
        )


@contextmanager
def nginx_proxy(upstream: str, names: list[str], folder: Path, address: str | None = None, guard_admin: bool = False):
    """Start nginx in front of `upstream` (host:port) with a certificate for
    `names`, on `address` (a random loopback one by default). `guard_admin`
    refuses /admin in the proxy, as Cloudron's login (proxyAuth) does for a
    visitor who has not signed in."""
    folder.mkdir(parents=True, exist_ok=True)
    ca = make_ca(folder / "pki")
    leaf = ca.issue(names, stem="proxy")
    address = address or random_loopback()
    (folder / "nginx.conf").write_text(
        CONFIG.format(
            folder=folder,
            address=address,
            upstream=upstream,
            guard=ADMIN_GUARD if guard_admin else "",
            cert=leaf.cert,
            key=leaf.key,
            # As root, nginx would run its workers as nobody, who cannot reach the temp dirs.
            user="user root;" if os.geteuid() == 0 else "",
        )
    )
    process = subprocess.Popen(
        [
            "nginx",
            "-p",
            str(folder),
            "-c",
            str(folder / "nginx.conf"),
            "-e",
            str(folder / "error.log"),
            "-g",
            "daemon off;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for port in (80, 443):
            wait_for_port(address, port, process, "nginx")
        yield Proxy(address, ca.root, folder, process)
    finally:
        process.terminate()
        process.wait(timeout=10)
