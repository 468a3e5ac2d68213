"""Real processes on loopback: addresses to bind, gunicorn started exactly as
start.sh starts it, readiness, and the CPU and memory of a process tree."""

from __future__ import annotations

import http.client
import os
import random
import socket
import ssl
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def random_loopback() -> str:
    """An address in 127.0.0.0/8 that parallel runs are unlikely to share.
    Clear of 127.0.x.x, where the host's own services listen, and of 127.9.x.x,
    where the DNS test zone points a record at nothing (tests/dns_zone.py)."""
    return f"127.{random.randint(10, 250)}.{random.randint(1, 250)}.{random.randint(1, 250)}"


def wait_for_port(address: str, port: int, process: subprocess.Popen, name: str, timeout: float = 10) -> None:
    """Until `process` (called `name` in errors) accepts TCP connections."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}")
        try:
            socket.create_connection((address, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"{name} not listening on {address}:{port}")


def gunicorn_command(gunicorn: Path, extra: list[str] | None = None, app: str = "app:create_app()") -> list[str]:
    """What start.sh runs: this repository's gunicorn.conf.py, BIND from the environment."""
    return [str(gunicorn), "-c", str(REPO / "gunicorn.conf.py"), *(extra or []), app]


def gunicorn_environ(env: dict[str, str], bind: str) -> dict[str, str]:
    """This shell's environment, less what would change the server's settings
    behind the test's back (a developer's CLOUDRON_* or WEB_CONCURRENCY), plus
    `env` and BIND. ACCESS_LOG stays: it is a documented switch."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("CLOUDRON", "WEB_CONCURRENCY"))}
    return {**inherited, **env, "BIND": bind}


def wait_for_health(url: str, process: subprocess.Popen, timeout: float = 15, verify: bool = True) -> None:
    """Poll `url` until it answers 200. Every 5 ms: the benchmark times the
    start with this, and a refused connection costs next to nothing."""
    parts = urlsplit(url)
    context = ssl.create_default_context()
    if not verify:  # readiness only: tests that care verify certificates themselves
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        if parts.scheme == "https":
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(parts.netloc, timeout=1, context=context)
        else:
            conn = http.client.HTTPConnection(parts.netloc, timeout=1)
        try:
            conn.request("GET", parts.path or "/")
            if conn.getresponse().status == 200:
                return
        except (OSError, http.client.HTTPException):
            pass
        finally:
            conn.close()
        time.sleep(0.005)
    raise TimeoutError(f"{url} not healthy after {timeout}s")


def wait_or_kill(process: subprocess.Popen, timeout: float = 20) -> None:
    """Wait for a process told to stop; kill it if it takes longer than
    `timeout` (gunicorn may wait out graceful_timeout, 10 s, for a booting
    worker: the default allows for that)."""
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _stat(pid: int) -> list[str] | None:
    """/proc/<pid>/stat from the state on (field 3), or None once the process is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # comm may contain spaces and parentheses: split after the last ')'.
    return text[text.rindex(")") + 2 :].split()


def parent_pid(pid: int) -> int:
    fields = _stat(pid)
    return int(fields[1]) if fields else 0


def tree_pids(root: int) -> list[int]:
    """`root` and every live descendant, parents before their children."""
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


def pss_kib(pid: int) -> int:
    """Proportional set size: shared pages split among the processes sharing
    them, so a sum over processes counts them once, as the memory cgroup does.
    OSError when the process is gone, ValueError when it shows no memory."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    raise ValueError(f"no Pss for {pid}")


def tree_pss_kib(root: int) -> int:
    """Summed PSS of the tree; a process that exits meanwhile counts nothing."""
    total = 0
    for pid in tree_pids(root):
        try:
            total += pss_kib(pid)
        except (OSError, ValueError):
            continue
    return total
