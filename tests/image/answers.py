"""What a running container tells mail clients and its admin, fetched as they would."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import requests

from support.inputs import pox_request
from support.sandbox import Sandbox

APP_HOST = "mailconfig.example.com"
# What a write outside the writable paths, or a crash, would leave in the log.
TROUBLE = re.compile(
    r"Read-only file system|Permission denied|Traceback|config file ignored|\[ERROR\]"
    r"|translations not compiled"
)
DOMAINS = ("example.com", "example.org", "xn--bcher-kva.example")


# The tests read the dashboard from the host, in the place of Cloudron's
# proxy, the only peer /admin opens to: an environment naming the host's
# address (the source of every connection to 127/8) as that proxy.
READ_AS_THE_PROXY = {"CLOUDRON_PROXY_IP": "127.0.0.1"}


def get(sandbox: Sandbox, path: str, host: str = APP_HOST, **kwargs: Any) -> requests.Response:
    # Cloudron's proxy forwards the Host; the app must never redirect.
    return requests.get(
        sandbox.base_url + path,
        headers={"Host": host, **kwargs.pop("headers", {})},
        allow_redirects=False,
        timeout=10,
        **kwargs,
    )


def discovery(sandbox: Sandbox, domain: str) -> dict[str, requests.Response]:
    """Every discovery format, for `domain`, as each kind of client asks for it."""
    address = f"jane@{domain}"
    return {
        "autoconfig (Thunderbird)": get(
            sandbox, "/mail/config-v1.1.xml", f"autoconfig.{domain}", params={"emailaddress": address}
        ),
        "autodiscover XML (Outlook)": requests.post(
            sandbox.base_url + "/autodiscover/autodiscover.xml",
            data=pox_request(address),
            headers={"Host": f"autodiscover.{domain}", "Content-Type": "text/xml"},
            timeout=10,
        ),
        "autodiscover JSON (Outlook)": get(
            sandbox,
            f"/autodiscover/autodiscover.json/v1.0/{address}",
            f"autodiscover.{domain}",
            params={"Protocol": "AutodiscoverV1"},
        ),
        "mobileconfig (Apple)": get(sandbox, "/mobileconfig", f"autoconfig.{domain}", params={"emailaddress": address}),
    }


def every_answer(sandbox: Sandbox, domains: tuple[str, ...] = DOMAINS) -> dict[str, bytes]:
    """Status and body of every format for every domain, keyed for readable diffs."""
    return {
        f"{name} for {domain}": f"{response.status_code} ".encode() + response.content
        for domain in domains
        for name, response in discovery(sandbox, domain).items()
    }


def log_of(sandbox: Sandbox) -> str:
    return sandbox.log_path.read_text(errors="replace")


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file and folder under `folder` (None for a folder), to tell if any changed."""
    return {str(p.relative_to(folder)): None if p.is_dir() else p.read_bytes() for p in sorted(folder.rglob("*"))}
