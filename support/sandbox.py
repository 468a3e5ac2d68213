"""Cloudron's app runtime re-created with bubblewrap (Debian `bwrap`).

What a Cloudron app container gets, and so what the sandbox gives start.sh:
a read-only root, the image's files at /app/code (exactly what the Dockerfile
COPYs, plus a virtualenv at /app/code/venv), a writable /app/data, tmpfs /tmp
and /run, a `cloudron` user, the CLOUDRON_* environment, and root as the
starting user so that start.sh's drop to `cloudron` is exercised.

The sandbox shares the host's network: gunicorn's BIND is moved to a random
127.x.y.z address so that parallel test runs never clash on port 8000.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .inputs import RUNTIME_ENV
from .processes import (
    REPO,
    parent_pid,
    random_loopback,
    tree_pids,
    wait_for_health,
    wait_or_kill,
)

HTTP_PORT = 8000
CLOUDRON_UID = 1000  # the base image's `cloudron` user
# Host paths the sandbox re-creates itself instead of binding them.
NOT_BOUND = {"proc", "dev", "tmp", "run", "root", "app", "etc"}


@dataclass(frozen=True)
class ImageRoot:
    """A built image's root file system (buildah mount) and its CMD and WORKDIR."""

    root: Path
    command: list[str]
    workdir: str


@dataclass
class Sandbox:
    address: str  # the loopback address gunicorn listens on, port HTTP_PORT
    base_url: str
    process: subprocess.Popen
    log_path: Path

    def gunicorn_pids(self) -> list[int]:
        """The gunicorn master first, then its workers (host pids)."""
        # Below bwrap itself (whose own arguments mention gunicorn.conf.py).
        tree = tree_pids(self.process.pid)[1:]
        pids = [pid for pid in tree if b"gunicorn" in _read(pid, "cmdline")]
        return sorted(pids, key=lambda pid: parent_pid(pid) in pids)

    def stop(self) -> None:
        # What `docker stop` does: SIGTERM to the container's main process.
        pids = self.gunicorn_pids()
        if pids:
            os.kill(pids[0], signal.SIGTERM)
        wait_or_kill(self.process)


def image_files(dockerfile: Path = REPO / "Dockerfile") -> list[tuple[Path, str]]:
    """(source in the repo, path in the image) for each Dockerfile COPY."""
    files = []
    for line in dockerfile.read_text().splitlines():
        if not line.startswith("COPY "):
            continue
        *sources, target = line.split()[1:]
        for source in sources:
            files.append((REPO / source, target + Path(source).name if target.endswith("/") else target))
    return files


def bwrap_command(data_dir: Path, etc_dir: Path, certs_dir: Path | None = None) -> list[str]:
    args = ["bwrap", "--unshare-pid", "--unshare-ipc", "--as-pid-1", "--die-with-parent"]
    args += _as_is(e for e in Path("/").iterdir() if e.name not in NOT_BOUND)
    args += [
        "--dev",
        "/dev",
        "--proc",
        "/proc",
        "--perms",
        "1777",
        "--tmpfs",
        "/tmp",
        "--perms",
        "0755",
        "--tmpfs",
        "/run",
    ]
    # The virtualenv's interpreter may live under /root (pyenv), which is 0700:
    # show only that part of /root, read-only, so `cloudron` can run it.
    python_home = Path(sys.base_prefix).resolve()
    args += ["--perms", "0755", "--tmpfs", "/root"]
    if python_home.is_relative_to("/root"):
        args += _visible(Path("/root", python_home.relative_to("/root").parts[0]))
    # The venv's scripts name its python by the venv's own path (which may be
    # under /tmp or /root): keep it reachable there too, read-only.
    args += _visible(Path(sys.prefix)) + ["--remount-ro", "/root"]
    args += ["--perms", "0755", "--tmpfs", "/app/code"]
    for source, target in image_files():
        args += ["--ro-bind", str(source), target]
    args += [
        "--ro-bind",
        sys.prefix,
        "/app/code/venv",
        "--remount-ro",
        "/app/code",
        "--bind",
        str(data_dir),
        "/app/data",
    ]
    # /etc: the host's, but with the sandbox's own users and, where the tls
    # addon would mount them, the certificates (a tmpfs holds the mount points).
    args += ["--perms", "0755", "--tmpfs", "/etc"]
    args += _as_is(e for e in Path("/etc").iterdir() if e.name not in {"passwd", "group", "certs"})
    args += ["--ro-bind", str(etc_dir / "passwd"), "/etc/passwd", "--ro-bind", str(etc_dir / "group"), "/etc/group"]
    if certs_dir is not None:
        args += ["--ro-bind", str(certs_dir), "/etc/certs"]
    args += ["--remount-ro", "/etc", "--remount-ro", "/", "--chdir", "/app/code", "/app/code/start.sh"]
    return args


def image_command(image: ImageRoot, data_dir: Path, certs_dir: Path | None = None) -> list[str]:
    """Run the image's CMD as Docker runs a Cloudron app container: the
    image's own root, read-only; tmpfs /tmp and /run with mode 1777 as Docker
    makes them; /app/data the only writable volume; the tls addon's files at
    /etc/certs. `image.root` is a throw-away container's, so the mount points
    bwrap creates in it before the remount are lost with it, as in Docker."""
    args = ["bwrap", "--unshare-pid", "--unshare-ipc", "--as-pid-1", "--die-with-parent"]
    args += ["--bind", str(image.root), "/", "--dev", "/dev", "--proc", "/proc"]
    args += ["--perms", "1777", "--tmpfs", "/tmp", "--perms", "1777", "--tmpfs", "/run"]
    args += ["--bind", str(data_dir), "/app/data"]
    if certs_dir is not None:
        args += ["--ro-bind", str(certs_dir), "/etc/certs"]
    return args + ["--remount-ro", "/", "--chdir", image.workdir, *image.command]


def _as_is(entries) -> list[str]:
    """Bind host entries read-only where they are; symlinks stay symlinks."""
    args = []
    for entry in sorted(entries):
        if entry.is_symlink():
            args += ["--symlink", os.readlink(entry), str(entry)]
        else:
            args += ["--ro-bind", str(entry), str(entry)]
    return args


def _visible(path: Path) -> list[str]:
    """Bind a host directory read-only at its own path; parents that bwrap has
    to create inside a tmpfs get 0755 (bwrap's default, 0700, would hide it)."""
    args = []
    for parent in reversed(path.parents):
        if any(parent.is_relative_to(tmpfs) and parent != Path(tmpfs) for tmpfs in ("/tmp", "/root")):
            args += ["--perms", "0755", "--dir", str(parent)]
    return args + ["--ro-bind", str(path), str(path)]


def _users(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "passwd").write_text(
        "root:x:0:0:root:/root:/bin/bash\n"
        f"cloudron:x:{CLOUDRON_UID}:{CLOUDRON_UID}:Cloudron:/home/cloudron:/bin/bash\n"
        "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
    )
    (folder / "group").write_text(f"root:x:0:\ncloudron:x:{CLOUDRON_UID}:\nnogroup:x:65534:\n")
    return folder


@contextmanager
def cloudron_runtime(
    data_dir: Path,
    work_dir: Path,
    env: dict[str, str] | None = None,
    certs_dir: Path | None = None,
    image: ImageRoot | None = None,
):
    """Run start.sh in the sandbox as root; yield a Sandbox once /healthz answers.

    `data_dir` is the app's /app/data (pass the same one again for a restart);
    `work_dir` holds the sandbox's passwd/group and the log; `certs_dir`, if
    given, is mounted at /etc/certs as the tls addon does. With `image`, the
    built image runs instead of the repository's files on the host's root.
    """
    address = random_loopback()
    command = (
        image_command(image, data_dir, certs_dir)
        if image is not None
        else bwrap_command(data_dir, _users(work_dir / "etc"), certs_dir)
    )
    log_path = work_dir / f"start-{time.monotonic_ns()}.log"
    environ = {
        "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME": "/root",
        "LANG": "C.UTF-8",
        **(RUNTIME_ENV if env is None else env),
        "BIND": f"{address}:{HTTP_PORT}",
    }
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            env=environ,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    sandbox = Sandbox(address, f"http://{address}:{HTTP_PORT}", process, log_path)
    try:
        wait_for_health(sandbox.base_url + "/healthz", process)
        _wait_for_workers(sandbox, environ)
        yield sandbox
    finally:
        sandbox.stop()


def _wait_for_workers(sandbox: Sandbox, environ: dict[str, str], timeout: float = 15) -> None:
    # The worker count gunicorn.conf.py computes from the sandbox's environment.
    workers = int(
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import runpy, sys; print(runpy.run_path(sys.argv[1])['workers'])",
                str(REPO / "gunicorn.conf.py"),
            ],
            env=environ,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    deadline = time.monotonic() + timeout
    while len(sandbox.gunicorn_pids()) < 1 + workers:
        if time.monotonic() > deadline:
            raise TimeoutError(f"fewer than {workers} gunicorn workers after {timeout}s")
        time.sleep(0.05)


def ids_of(pid: int) -> tuple[list[int], list[int]]:
    """(real, effective, saved, filesystem) uids and gids, from /proc/<pid>/status."""
    fields = dict(line.split(":", 1) for line in _read(pid, "status").decode().splitlines())
    return ([int(v) for v in fields["Uid"].split()], [int(v) for v in fields["Gid"].split()])


def _read(pid: int, name: str) -> bytes:
    try:
        return Path(f"/proc/{pid}/{name}").read_bytes()
    except OSError:
        return b""
