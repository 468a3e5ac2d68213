"""Delta Chat's real core setting up accounts against the app, in a world of
its own: run `python -m tests.e2e.deltachat` inside fresh network, mount and
PID namespaces (see run_in_namespace). There, only loopback exists, and
/etc/hosts and /etc/resolv.conf are this module's: a name resolves only if
a scenario says so. The app runs behind the test nginx over HTTPS, as on
Cloudron; a fake IMAP/SMTP server records where Delta Chat connects and as
whom, and refuses every login (which ends the setup: nothing more is needed).

Delta Chat's roots are compiled in, so it is told `acceptInvalidCertificates`
for the test certificate. When the namespace's first process exits, the
kernel ends every process in it: nothing outlives a run.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

from support.inputs import CLOUDRON_ENV
from support.processes import REPO
from tests.e2e.proxy import nginx_proxy
from tests.e2e.servers import gunicorn
from tests.pki import make_ca

# Addresses inside the namespace (any 127/8 address works on its loopback).
PROXY = "127.1.0.1"  # the test nginx in front of the app
MAIL_HOST = "127.2.0.1"  # CLOUDRON_EMAIL_SERVER_HOST, my.example.com
GUESSES = "127.3.0.1"  # imap./smtp./mail.<domain>: where a client guesses
MAIL_PORTS = (993, 143, 465, 587, 25)
IMPLICIT_TLS = (993, 465)


class FakeMailServer:
    """IMAP and SMTP far enough for a client to say who it logs in as."""

    def __init__(self, addresses: list[str], tls: ssl.SSLContext) -> None:
        self.tls = tls
        self.connections: list[dict[str, object]] = []
        self._lock = threading.Lock()
        for address in addresses:
            for port in MAIL_PORTS:
                listener = socket.create_server((address, port))
                threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        host, port = conn.getsockname()[:2]
        record: dict[str, object] = {"address": host, "port": port, "tls": None, "user": None}
        with self._lock:
            self.connections.append(record)
        conn.settimeout(10)
        try:
            if port in IMPLICIT_TLS:
                conn = self.tls.wrap_socket(conn, server_side=True)
                record["tls"] = "implicit"
            if port in (993, 143):
                self._imap(conn, record)
            else:
                self._smtp(conn, record)
        except (OSError, ValueError):
            pass
        finally:
            conn.close()

    def _imap(self, conn: socket.socket, record: dict[str, object]) -> None:
        conn.sendall(b"* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] fake\r\n")
        reader = conn.makefile("rb")
        while line := reader.readline():
            tag, _, command = line.decode("utf-8", "replace").strip().partition(" ")
            verb = command.split(" ", 1)[0].upper()
            if verb == "CAPABILITY":
                conn.sendall(b"* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN\r\n%s OK done\r\n" % tag.encode())
            elif verb == "STARTTLS":
                conn.sendall(b"%s OK begin TLS\r\n" % tag.encode())
                conn = self.tls.wrap_socket(conn, server_side=True)
                record["tls"] = "starttls"
                reader = conn.makefile("rb")
            elif verb == "LOGIN":
                record["user"] = command.split(" ")[1].strip('"')
                break
            elif verb == "AUTHENTICATE":
                conn.sendall(b"+ \r\n")
                record["user"] = _plain_user(reader.readline())
                break
            else:
                conn.sendall(b"%s BAD no\r\n" % tag.encode())
        conn.sendall(b"%s NO [AUTHENTICATIONFAILED] fake\r\n" % tag.encode())

    def _smtp(self, conn: socket.socket, record: dict[str, object]) -> None:
        conn.sendall(b"220 fake ESMTP\r\n")
        reader = conn.makefile("rb")
        while line := reader.readline():
            words = line.decode("utf-8", "replace").strip().split(" ")
            verb = words[0].upper()
            if verb in ("EHLO", "HELO"):
                starttls = b"250-STARTTLS\r\n" if record["tls"] is None else b""
                conn.sendall(b"250-fake\r\n" + starttls + b"250 AUTH PLAIN LOGIN\r\n")
            elif verb == "STARTTLS":
                conn.sendall(b"220 go ahead\r\n")
                conn = self.tls.wrap_socket(conn, server_side=True)
                record["tls"] = "starttls"
                reader = conn.makefile("rb")
            elif verb == "AUTH" and words[1:2] == ["PLAIN"]:
                if len(words) < 3:
                    conn.sendall(b"334 \r\n")
                    words.append(reader.readline().decode().strip())
                record["user"] = _plain_user(words[2].encode())
                break
            elif verb == "AUTH" and words[1:2] == ["LOGIN"]:
                conn.sendall(b"334 VXNlcm5hbWU6\r\n")
                record["user"] = base64.b64decode(reader.readline().strip()).decode()
                break
            elif verb == "QUIT":
                return
            else:
                conn.sendall(b"250 ok\r\n")
        conn.sendall(b"535 5.7.8 fake\r\n")


def _plain_user(line: bytes) -> str:
    """The authentication identity of a SASL PLAIN response."""
    return base64.b64decode(line.strip()).split(b"\0")[1].decode()


def configure(address: str, accounts: Path) -> str:
    """Delta Chat's account setup for `address` (password "secret"); its error, or "ok"."""
    from deltachat_rpc_client import Rpc
    from deltachat_rpc_client.rpc import JsonRpcError

    rpc = Rpc(accounts_dir=str(accounts), rpc_server_path=str(Path(sys.executable).parent / "deltachat-rpc-server"))
    rpc.start()
    try:
        account = rpc.add_account()
        params = {"addr": address, "password": "secret", "certificateChecks": "acceptInvalidCertificates"}
        rpc.add_or_update_transport(account, params)
        return "ok"
    except JsonRpcError as exc:
        return str(exc)
    finally:
        rpc.process.kill()


def main(phases: list[dict[str, object]]) -> None:
    """Each phase: the names that resolve (to the proxy, the mail host or the
    guesses' address) and the addresses set up, at once. Prints one JSON
    line: per phase, Delta Chat's outcome per address, every connection
    to the fake mail server and every request the proxy passed to the app."""
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    folder = Path(tempfile.mkdtemp(prefix="deltachat-"))
    ca = make_ca(folder / "pki")
    leaf = ca.issue(["my.example.com", "imap.example.net", "smtp.example.net", "mail.example.net"], stem="mail")
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(leaf.cert, leaf.key)
    results = []
    with ExitStack() as stack:
        env = {**CLOUDRON_ENV, "AUTOCONFIG_CONFIG_FILE": str(folder / "absent.toml")}
        base, _, _ = stack.enter_context(gunicorn(env))
        names = [
            f"{p}{d}"
            for d in ("example.com", "example.org", "xn--bcher-kva.example", "example.net")
            for p in ("", "autoconfig.", "autodiscover.")
        ]
        proxy = stack.enter_context(nginx_proxy(base.removeprefix("http://"), names, folder / "nginx", address=PROXY))
        mail = FakeMailServer([MAIL_HOST, GUESSES], tls)
        for number, phase in enumerate(phases):
            resolve: dict[str, str] = phase["resolve"]  # type: ignore[assignment]
            # Written in place: /etc/hosts is a bind mount of this very file.
            Path("/etc/hosts").write_text("127.0.0.1 localhost\n" + "".join(f"{ip} {n}\n" for n, ip in resolve.items()))
            del mail.connections[:]
            log = proxy.folder / "access.log"
            seen = log.stat().st_size
            addresses: list[str] = phase["addresses"]  # type: ignore[assignment]
            accounts = [folder / f"dc-{number}-{i}" for i in range(len(addresses))]
            with ThreadPoolExecutor(len(addresses)) as pool:
                outcomes = dict(zip(addresses, pool.map(configure, addresses, accounts), strict=True))
            requests = [line.split('"')[1] for line in log.read_bytes()[seen:].decode().splitlines()]
            results.append({"outcomes": outcomes, "connections": list(mail.connections), "requests": requests})
    print(json.dumps(results), flush=True)
    # The RPC client's threads wait on a server killed above: do not wait for
    # them (the PID namespace ends whatever is left).
    os._exit(0)


def run_in_namespace(phases: list[dict[str, object]], folder: Path, timeout: float = 300) -> list[dict]:
    """Run main(phases) in new network, mount and PID namespaces, with
    /etc/hosts and /etc/resolv.conf of its own (nothing answers DNS, so a
    lookup that is not in hosts fails at once)."""
    hosts, resolv = folder / "hosts", folder / "resolv.conf"
    hosts.write_text("127.0.0.1 localhost\n")
    resolv.write_text("nameserver 127.0.0.1\noptions attempts:1 timeout:1\n")
    script = (
        f"mount --bind {hosts} /etc/hosts && mount --bind {resolv} /etc/resolv.conf && "
        f'exec "{sys.executable}" -m tests.e2e.deltachat'
    )
    environ = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    done = subprocess.run(
        ["unshare", "--net", "--mount", "--pid", "--fork", "--kill-child", "sh", "-c", script],
        input=json.dumps(phases),
        capture_output=True,
        text=True,
        cwd=REPO,
        env=environ,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main(json.load(sys.stdin))
