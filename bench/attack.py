#!/usr/bin/env python3
"""A burst of bad requests for the benchmark: oversized bodies, XML bombs,
garbage and slow clients, each kind from a few concurrent connections.

    python3 bench/attack.py HOST PORT SECONDS [SLOW_CLIENTS] [RATE_PER_KIND]

Each kind is sent at a fixed rate (a burst, not an attacker as fast as this
2-core box can spin: that would measure the attacker's own CPU use).
Prints one JSON object: per kind, how many were sent, the status codes that
came back (or "closed"/"held" when there was no answer) and the median time
to the answer. Standard library only (asyncio).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
from collections import Counter

PATH = "/autodiscover/autodiscover.xml"
ONE_MIB = 1024 * 1024
LOOPS_PER_KIND = 2

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i + 1} "{("&lol%s;" % (i or "")) * 10}">' for i in range(9))
    + "]><Autodiscover><Request><EMailAddress>&lol9;</EMailAddress></Request></Autodiscover>"
).encode()
QUADRATIC = (
    '<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "' + "x" * 8000 + '">]>'
    "<Autodiscover><Request><EMailAddress>" + "&a;" * 1500 + "</EMailAddress></Request></Autodiscover>"
).encode()
DEEP = ("<a>" * 2000 + "</a>" * 2000).encode()


def post(body: bytes, extra: str = "") -> bytes:
    return (
        f"POST {PATH} HTTP/1.1\r\nHost: autodiscover.example.com\r\nContent-Type: text/xml\r\n"
        f"Content-Length: {len(body)}\r\n{extra}Connection: close\r\n\r\n"
    ).encode() + body


KINDS = {
    "oversized body, 1 MiB with Content-Length": None,  # streamed, see oversized()
    "oversized body, 1 MiB chunked": None,
    "XML bomb, billion laughs": post(BILLION_LAUGHS),
    "XML bomb, quadratic blowup": post(QUADRATIC),
    "XML, 2000 nested elements": post(DEEP),
    "garbage bytes": os.urandom(512) + b"\r\n\r\n",
    "request line over 4 KiB": f"GET /mail/config-v1.1.xml?x={'a' * 8000} HTTP/1.1\r\nHost: x\r\n\r\n".encode(),
    "200 header fields": (
        "GET /healthz HTTP/1.1\r\nHost: x\r\n" + "".join(f"X-H{i}: v\r\n" for i in range(200)) + "\r\n"
    ).encode(),
}


async def exchange(host: str, port: int, payload: bytes | None, chunked: bool = False) -> str:
    """Send one bad request; return the status code or how it ended."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        if payload is None:
            head = f"POST {PATH} HTTP/1.1\r\nHost: autodiscover.example.com\r\nContent-Type: text/xml\r\n"
            head += "Transfer-Encoding: chunked\r\n" if chunked else f"Content-Length: {ONE_MIB}\r\n"
            writer.write((head + "Connection: close\r\n\r\n").encode())
            block = b"<" * 16384
            status_line = asyncio.ensure_future(reader.readline())
            try:
                for _ in range(ONE_MIB // len(block)):
                    if status_line.done():
                        break
                    writer.write(b"4000\r\n" + block + b"\r\n" if chunked else block)
                    await writer.drain()
                writer.write(b"0\r\n\r\n" if chunked else b"")
            except ConnectionError:
                pass  # answered and closed before the whole body was sent: read the answer
            line = await asyncio.wait_for(status_line, 10)
        else:
            writer.write(payload)
            await writer.drain()
            line = await asyncio.wait_for(reader.readline(), 10)
        return line.split()[1].decode() if line.startswith(b"HTTP/") else "closed"
    except (ConnectionError, asyncio.IncompleteReadError):
        return "closed"
    except TimeoutError:
        return "no answer in 10 s"
    finally:
        writer.close()


async def loop(host: str, port: int, kind: str, deadline: float, interval: float, out: dict) -> None:
    payload = KINDS[kind]
    next_start = time.monotonic()
    while next_start < deadline:
        await asyncio.sleep(max(0.0, next_start - time.monotonic()))
        begin = time.monotonic()
        outcome = await exchange(host, port, payload, chunked=kind.endswith("chunked"))
        out[kind]["statuses"][outcome] += 1
        out[kind]["times"].append((time.monotonic() - begin) * 1000)
        next_start += interval


async def slow_client(host: str, port: int, deadline: float, out: dict) -> None:
    """Slowloris: a request line, then one header line a second, never done."""
    kind = out["slow client, one header line a second"]
    kind["sent"] += 1
    try:
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        number = 0
        while time.monotonic() < deadline:
            await asyncio.sleep(1)
            number += 1
            writer.write(f"X-Slow-{number}: v\r\n".encode())
            await writer.drain()
        kind["statuses"]["held to the end"] += 1
        writer.close()
    except ConnectionError:
        kind["statuses"]["closed by server"] += 1


async def main(host: str, port: int, seconds: float, slow_clients: int, rate_per_kind: float) -> dict:
    deadline = time.monotonic() + seconds
    out = {kind: {"statuses": Counter(), "times": [], "sent": 0} for kind in KINDS}
    if slow_clients:
        out["slow client, one header line a second"] = {"statuses": Counter(), "times": [], "sent": 0}
    interval = LOOPS_PER_KIND / rate_per_kind
    tasks = [loop(host, port, kind, deadline, interval, out) for kind in KINDS for _ in range(LOOPS_PER_KIND)]
    tasks += [slow_client(host, port, deadline, out) for _ in range(slow_clients)]
    await asyncio.gather(*tasks)
    kinds, five = {}, 0
    for kind, entry in out.items():
        sent = entry["sent"] or sum(entry["statuses"].values())
        five += sum(n for status, n in entry["statuses"].items() if status.startswith("5"))
        kinds[kind] = {
            "sent": sent,
            "statuses": dict(entry["statuses"]),
            "median_ms": statistics.median(entry["times"]) if entry["times"] else None,
        }
    return {"kinds": kinds, "totals": {"sent": sum(k["sent"] for k in kinds.values()), "5xx": five}}


if __name__ == "__main__":
    host, port, seconds, slow, rate = (sys.argv[1:] + ["0", "25"])[:5]
    print(json.dumps(asyncio.run(main(host, int(port), float(seconds), int(slow), float(rate)))))
