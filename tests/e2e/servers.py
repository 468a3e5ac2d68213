"""Real processes for end-to-end tests: gunicorn with the production config."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

import requests
import urllib3

from tests.pki import Leaf

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_health(url: str, process: subprocess.Popen, timeout: float = 15,
                    verify: bool = True) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with warnings.catch_warnings():
                # Readiness only: tests that care verify certificates themselves.
                warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
                if requests.get(url, timeout=1, verify=verify).status_code == 200:
                    return
        except requests.ConnectionError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{url} not healthy after {timeout}s")


@contextmanager
def gunicorn(env: dict[str, str], port: int | None = None, host: str = "127.0.0.1",
             tls: Leaf | None = None):
    """Run `gunicorn -c gunicorn.conf.py 'app:create_app()'` on loopback,
    serving HTTPS itself when given a certificate (`tls`).

    Yields (base_url, process, log_path); the log holds stdout and stderr.
    """
    port = port or free_port()
    tls_args = ["--certfile", str(tls.cert), "--keyfile", str(tls.key)] if tls else []
    log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"gunicorn-{host}-{port}.log"
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDRON")}
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py", *tls_args, "app:create_app()"],
            cwd=REPO, env={**clean_env, **env, "BIND": f"{host}:{port}"},
            stdout=log, stderr=subprocess.STDOUT)
    base = f"{'https' if tls else 'http'}://{host}:{port}"
    try:
        wait_for_health(base + "/healthz", process, verify=not tls)
        yield base, process, log_path
    finally:
        process.terminate()
        # A SIGTERM that lands while a worker is still booting makes gunicorn
        # wait out graceful_timeout (10 s) for it: allow for that.
        process.wait(timeout=20)
