"""A real DNS server for tests: dnsmasq on a random loopback address, port 53.

The test zone matches CLOUDRON_ENV (tests/conftest.py) and holds correct,
missing and wrong records, so every state of the admin page's DNS checks
comes from a real server's answers.
"""
from __future__ import annotations

import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass

import dns.exception
import dns.resolver

from support.processes import random_loopback

DNSMASQ = "/usr/sbin/dnsmasq"
# Where the wrong address record of the test zone points: nothing listens there.
ELSEWHERE = "127.9.9.9"


@dataclass(frozen=True)
class DnsServer:
    address: str     # the nameserver, port 53
    web: str         # where the zone's app locations point


def zone_options(web: str) -> list[str]:
    """dnsmasq options. example.com: right but for a missing `_imap` and a
    `_submissions` that should be "." (465 is off by default). example.org:
    one wrong address, no SRV at all, a foreign MX. bücher.example: nothing."""
    return [
        "--local=/example.com/", "--local=/example.org/", "--local=/xn--bcher-kva.example/",
        f"--host-record=mailconfig.example.com,{web}",
        "--cname=autoconfig.example.com,mailconfig.example.com",
        f"--host-record=autodiscover.example.com,{web}",
        "--srv-host=_autodiscover._tcp.example.com,autodiscover.example.com,443,0,1",
        "--srv-host=_imaps._tcp.example.com,my.example.com,993,0,1",
        "--srv-host=_pop3s._tcp.example.com",
        "--srv-host=_pop3._tcp.example.com",
        "--srv-host=_submissions._tcp.example.com,my.example.com,465,0,1",
        "--srv-host=_submission._tcp.example.com,my.example.com,587,0,1",
        "--mx-host=example.com,my.example.com,10",
        f"--host-record=autoconfig.example.org,{ELSEWHERE}",
        f"--host-record=autodiscover.example.org,{web}",
        "--mx-host=example.org,mx.elsewhere.test,10",
    ]


@contextmanager
def dnsmasq(options: list[str], address: str | None = None):
    """Yield the address of a dnsmasq answering only from `options`."""
    address = address or random_loopback()
    process = subprocess.Popen(
        [DNSMASQ, "--keep-in-foreground", "--no-resolv", "--no-hosts", "--conf-file=/dev/null",
         "--pid-file=", "--bind-interfaces", f"--listen-address={address}", "--port=53",
         "--log-facility=-", *options],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_until_answering(address, process)
        yield address
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_until_answering(address: str, process: subprocess.Popen, timeout: float = 10) -> None:
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [address]
    resolver.lifetime = 0.2
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dnsmasq exited: {process.stderr.read().decode()}")
        try:
            resolver.resolve("example.com", "SOA", raise_on_no_answer=False)
            return
        except dns.resolver.NXDOMAIN:
            return
        except dns.exception.DNSException:
            time.sleep(0.05)
    raise TimeoutError("dnsmasq did not answer")
