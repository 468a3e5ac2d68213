"""A start in a bad environment, on the image the Dockerfile builds: the app
still starts and answers /healthz, its log says what is wrong in one line,
the admin dashboard shows it, and nothing the admin wrote is touched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from support.inputs import RUNTIME_ENV
from support.sandbox import ImageRoot, cloudron_runtime
from tests import pki
from tests.dns_server import DnsServer

from .answers import READ_AS_THE_PROXY, get, log_of, snapshot

ADMIN_CONFIG = b"# The admin's own settings.\n[services.pop3]\nenabled = true\n"


@dataclass(frozen=True)
class Case:
    name: str
    log_says: str  # the one log line's telling part
    dashboard_says: str
    env: dict[str, str | None] = field(default_factory=dict)  # None: unset
    prepare: Callable[[Path, pki.TestCA], Path | None] = lambda data, ca: None  # -> /etc/certs


def not_toml(data: Path, ca: pki.TestCA) -> None:
    (data / "config.toml").write_bytes(ADMIN_CONFIG + b"[services.imap\n")


def config_is_a_folder(data: Path, ca: pki.TestCA) -> None:
    (data / "config.toml").unlink()
    (data / "config.toml").mkdir()
    (data / "config.toml" / "notes.txt").write_bytes(ADMIN_CONFIG)


def mismatched_pair(data: Path, ca: pki.TestCA) -> Path:
    certs = data.parent / "certs"
    certs.mkdir(mode=0o700)
    (certs / "tls_cert.pem").write_bytes(ca.issue(["mailconfig.example.com"], stem="one").cert.read_bytes())
    (certs / "tls_key.pem").write_bytes(ca.issue(["mailconfig.example.com"], stem="other").key.read_bytes())
    (certs / "tls_key.pem").chmod(0o600)
    return certs


CASES = [
    Case(
        "CLOUDRON_EMAIL_DOMAINS empty",
        "no mail domains: is the email addon enabled?",
        "No mail domains",
        env={"CLOUDRON_EMAIL_DOMAINS": ""},
    ),
    Case(
        "CLOUDRON_EMAIL_SERVER_HOST missing",
        "CLOUDRON_EMAIL_SERVER_HOST",
        "CLOUDRON_EMAIL_SERVER_HOST",
        env={"CLOUDRON_EMAIL_SERVER_HOST": None},
    ),
    Case(
        "config.toml not valid TOML",
        "config file ignored, serving defaults: /app/data/config.toml: not valid TOML",
        "not valid TOML",
        prepare=not_toml,
    ),
    Case(
        "config.toml a directory",
        "config file ignored, serving defaults: /app/data/config.toml: cannot be read",
        "cannot be read",
        prepare=config_is_a_folder,
    ),
    Case(
        "/etc/certs a mismatched pair",
        "Apple profiles are unsigned: the key in",
        "not the key of",
        prepare=mismatched_pair,
    ),
]


@dataclass(frozen=True)
class Outcome:
    health: int
    log: str
    dashboard: str
    data_before: dict[str, bytes | None]
    data_after: dict[str, bytes | None]


@pytest.fixture(scope="module", params=CASES, ids=[case.name for case in CASES])
def outcome(
    request: pytest.FixtureRequest,
    image: ImageRoot,
    test_ca: pki.TestCA,
    dns_server: DnsServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Case, Outcome]]:
    """One start of the image per case, with an admin's config.toml already in /app/data."""
    case: Case = request.param
    folder = tmp_path_factory.mktemp("bad")
    data = folder / "data"
    data.mkdir()
    (data / "config.toml").write_bytes(ADMIN_CONFIG)
    certs = case.prepare(data, test_ca)
    before = snapshot(data)
    wanted = {**RUNTIME_ENV, **READ_AS_THE_PROXY, **case.env, "AUTOCONFIG_DNS_SERVER": dns_server.address}
    env = {key: value for key, value in wanted.items() if value is not None}
    with cloudron_runtime(data, folder, env=env, certs_dir=certs, image=image) as sandbox:
        health = get(sandbox, "/healthz").status_code
        dashboard = get(sandbox, "/admin").text
    yield case, Outcome(health, log_of(sandbox), dashboard, before, snapshot(data))


def test_bad_environment_the_app_starts_and_answers_healthz(outcome: tuple[Case, Outcome]) -> None:
    case, result = outcome
    assert result.health == 200, f"{case.name}: /healthz answers {result.health}"


def test_bad_environment_the_log_says_what_is_wrong_in_one_line(outcome: tuple[Case, Outcome]) -> None:
    case, result = outcome
    lines = [line for line in result.log.splitlines() if case.log_says in line]
    assert len(lines) == 1, f"{case.name}: no single log line says {case.log_says!r}:\n{result.log}"


def test_bad_environment_the_admin_dashboard_shows_it(outcome: tuple[Case, Outcome]) -> None:
    case, result = outcome
    assert case.dashboard_says in result.dashboard, f"{case.name}: the admin dashboard does not show it"


def test_bad_environment_nothing_the_admin_wrote_is_lost(outcome: tuple[Case, Outcome]) -> None:
    case, result = outcome
    assert result.data_after == result.data_before, f"{case.name}: /app/data changed at start"
