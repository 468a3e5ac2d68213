"""A real CalDAV/CardDAV server for tests: Radicale (from PyPI) on a loopback
address, serving TLS itself with a certificate of the test CA, and an
htpasswd file with one user whose login is the part before "@"."""

from __future__ import annotations

import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from support.processes import free_port, random_loopback, wait_for_port
from tests.pki import TestCA

HOST = "dav.example.com"  # the name the certificate is for; tests resolve it to `address`
USER, PASSWORD = "jane.doe", "s3cret-calendar"


@dataclass(frozen=True)
class DavServer:
    address: str  # loopback IP it listens on
    port: int

    @property
    def url(self) -> str:
        return f"https://{HOST}:{self.port}/"


@contextmanager
def radicale(folder: Path, ca: TestCA):
    folder.mkdir(parents=True, exist_ok=True)
    leaf = ca.issue([HOST], stem="radicale")
    address, port = random_loopback(), free_port()
    (folder / "users").write_text(f"{USER}:{PASSWORD}\n")
    (folder / "config").write_text(
        f"""[server]
hosts = {address}:{port}
ssl = True
certificate = {leaf.cert}
key = {leaf.key}
[auth]
type = htpasswd
htpasswd_filename = {folder / "users"}
htpasswd_encryption = plain
[rights]
type = owner_only
[storage]
filesystem_folder = {folder / "collections"}
[logging]
level = warning
"""
    )
    with open(folder / "radicale.log", "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", str(folder / "config")], stdout=log, stderr=subprocess.STDOUT
        )
    try:
        try:
            wait_for_port(address, port, process, "radicale", timeout=20)
        except (RuntimeError, TimeoutError) as exc:
            raise RuntimeError(f"{exc}: {(folder / 'radicale.log').read_text()}") from None
        yield DavServer(address, port)
    finally:
        process.terminate()
        process.wait(timeout=10)
