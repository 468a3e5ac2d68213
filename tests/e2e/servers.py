"""Real processes for end-to-end tests: gunicorn with the production config."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from support.processes import (
    REPO,
    free_port,
    gunicorn_command,
    gunicorn_environ,
    wait_for_health,
)
from tests.pki import Leaf

# The gunicorn of the virtualenv running the tests.
GUNICORN = Path(sys.executable).parent / "gunicorn"


@contextmanager
def gunicorn(env: dict[str, str], port: int | None = None, host: str = "127.0.0.1", tls: Leaf | None = None):
    """Run `gunicorn -c gunicorn.conf.py 'app:create_app()'` on loopback,
    serving HTTPS itself when given a certificate (`tls`).

    Yields (base_url, process, log_path); the log holds stdout and stderr.
    """
    port = port or free_port()
    tls_args = ["--certfile", str(tls.cert), "--keyfile", str(tls.key)] if tls else []
    log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"gunicorn-{host}-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            gunicorn_command(GUNICORN, tls_args),
            cwd=REPO,
            env=gunicorn_environ(env, f"{host}:{port}"),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"{'https' if tls else 'http'}://{host}:{port}"
    try:
        wait_for_health(base + "/healthz", process, verify=not tls)
        yield base, process, log_path
    finally:
        process.terminate()
        # A SIGTERM that lands while a worker is still booting makes gunicorn
        # wait out graceful_timeout (10 s) for it: allow for that.
        process.wait(timeout=20)
    # Whatever the test sent, the app never logs a traceback.
    assert "Traceback" not in log_path.read_text(errors="replace"), log_path
