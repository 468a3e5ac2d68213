"""A real DNS server for tests: dnsmasq on a random loopback address, port 53.

It serves the test zone of tests/dns_zone.py, which holds correct, missing
and wrong records, so every state of the admin page's DNS checks comes from
a real server's answers.
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
@dataclass(frozen=True)
class DnsServer:
    address: str     # the nameserver, port 53
    web: str         # where the zone's app locations point




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
