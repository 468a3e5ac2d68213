"""Attacks from outside on the real server: through the test nginx (with
underscore headers passed), and straight at gunicorn, as another container
on Cloudron's network or the health check reaches it."""

from __future__ import annotations

import socket
import time

import pytest
import requests

from support.inputs import CLOUDRON_ENV
from support.processes import random_loopback
from tests.e2e.proxy import nginx_proxy
from tests.e2e.servers import gunicorn

APP = "mailconfig.example.com"
TRACEBACK = "Traceback"


@pytest.fixture(scope="module")
def cloudron(tmp_path_factory):
    """gunicorn as on Cloudron, CLOUDRON_PROXY_IP naming the test nginx,
    and two such proxies: one guarding /admin as Cloudron's login does for
    a visitor who has not signed in, one letting a signed-in admin through."""
    folder = tmp_path_factory.mktemp("hardening")
    guarded_at, open_at = random_loopback(), random_loopback()
    env = {**CLOUDRON_ENV, "CLOUDRON_PROXY_IP": guarded_at, "AUTOCONFIG_CONFIG_FILE": str(folder / "absent.toml")}
    with gunicorn(env) as (base, _, log):
        upstream = base.removeprefix("http://")
        names = [APP, "autoconfig.example.com"]
        with (
            nginx_proxy(upstream, names, folder / "guarded", address=guarded_at, guard_admin=True) as guarded,
            nginx_proxy(upstream, names, folder / "open", address=open_at) as other,
        ):
            yield base, guarded, other, log


def test_a_script_name_header_does_not_walk_around_the_proxys_admin_guard(cloudron):
    _, guarded, _, log = cloudron
    assert guarded.curl(f"https://{APP}/admin").status == 401  # the guard itself works
    for path, header in [("/xadmin", "SCRIPT_NAME: /x"), ("/healthz", "PATH_INFO: /admin")]:
        response = guarded.curl(f"https://{APP}{path}", "-H", header)
        assert b"Recent requests" not in response.body
        assert response.status in (200, 404) and response.headers["content-type"].startswith("text/plain")
    assert TRACEBACK not in log.read_text()


def test_the_dashboard_opens_only_to_the_proxy_named_by_cloudron(cloudron):
    base, guarded, other, _ = cloudron
    # A neighbour container reaching port 8000 directly, even claiming to be
    # forwarded, and a proxy Cloudron did not name: closed.
    assert requests.get(base + "/admin", timeout=5).status_code == 403
    assert requests.get(base + "/admin", headers={"X-Forwarded-For": guarded.address}, timeout=5).status_code == 403
    assert other.curl(f"https://{APP}/admin").status == 403
    # The health check answers whoever asks.
    assert requests.get(base + "/healthz", timeout=5).status_code == 200


def test_forwarded_host_from_a_neighbour_is_not_believed(cloudron):
    base, guarded, _, _ = cloudron
    headers = {"Host": "autoconfig.example.com", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "javascript"}
    direct = requests.get(base + "/mail/config-v1.1.xml", headers=headers, timeout=5)
    assert b'url="https://autoconfig.example.com/"' in direct.content
    proxied = guarded.curl("https://autoconfig.example.com/mail/config-v1.1.xml")
    assert b'url="https://autoconfig.example.com/"' in proxied.body


def open_silent_bodies(address: tuple[str, int], count: int, length: int) -> list[socket.socket]:
    """Connections that announce a body of `length` bytes and never send it."""
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(address, timeout=30)
        sock.sendall(
            b"POST /autodiscover/autodiscover.xml HTTP/1.1\r\nHost: autodiscover.example.com\r\n"
            b"Content-Type: text/xml\r\nContent-Length: %d\r\n\r\n" % length
        )
        sockets.append(sock)
    return sockets


@pytest.mark.parametrize("length", [300, 10 * 1024 * 1024])  # within the cap, and over it (the 413 drain)
def test_bodies_that_never_come_do_not_hold_the_server(tmp_path, length):
    # Every thread (2 workers x 4) waits on a body: the health check must
    # still be answered once the body deadline passes, and each client gets
    # an answer rather than an endless wait.
    env = {**CLOUDRON_ENV, "AUTOCONFIG_CONFIG_FILE": str(tmp_path / "absent.toml")}
    with gunicorn(env) as (base, _, log):
        host, port = base.removeprefix("http://").split(":")
        silent = open_silent_bodies((host, int(port)), 8, length)
        try:
            time.sleep(0.5)
            started = time.monotonic()
            assert requests.get(base + "/healthz", timeout=20).status_code == 200
            assert time.monotonic() - started < 15
            for sock in silent:
                status_line = sock.recv(200).split(b"\r\n", 1)[0]
                assert status_line.split()[1] in (b"408", b"413"), status_line
        finally:
            for sock in silent:
                sock.close()
    assert TRACEBACK not in log.read_text()
