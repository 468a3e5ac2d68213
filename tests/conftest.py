"""Shared fixtures: a Cloudron-like environment, settings, app and client.

Every test builds its own app from an explicit environment: nothing reads
os.environ or /app/data, and no global app is mutated.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings as hypothesis_settings

from app import create_app
from app.settings_loader import load_settings
from support.inputs import CLOUDRON_ENV
from support.processes import random_loopback

# CI replays the same examples every run, so a landing never hinges on luck;
# developers' runs keep exploring new ones.
hypothesis_settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


@pytest.fixture(autouse=True)
def no_traceback_is_logged(caplog):
    """No request may make the app log a traceback: one client repeating a
    request that did once wrote 16.7 MB of log in 5 s."""
    yield
    logged = [r for r in caplog.get_records("call") if r.exc_info and r.name.split(".")[0] in APP_LOGGERS]
    assert not logged, [r.getMessage() for r in logged]


APP_LOGGERS = {"app", "autoconfig", "flask", "werkzeug", "gunicorn"}


@pytest.fixture
def config_file(tmp_path):
    """Write an admin config.toml and return its path."""
    path = tmp_path / "config.toml"

    def write(text: str) -> str:
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write


@pytest.fixture
def make_settings(tmp_path, test_ca):
    """Settings from CLOUDRON_ENV plus overrides; no config file unless given,
    no certificate to sign profiles with unless given, and the test CA as
    the roots devices trust."""

    def build(config_path: str | None = None, **overrides):
        env = {
            **CLOUDRON_ENV,
            "SSL_CERT_FILE": str(test_ca.root),
            "AUTOCONFIG_TLS_CERT_FILE": str(tmp_path / "absent-cert.pem"),
            "AUTOCONFIG_TLS_KEY_FILE": str(tmp_path / "absent-key.pem"),
            **overrides,
            "AUTOCONFIG_CONFIG_FILE": config_path or str(tmp_path / "absent.toml"),
        }
        return load_settings({k: v for k, v in env.items() if v is not None})

    return build


@pytest.fixture
def settings(make_settings):
    return make_settings()


@pytest.fixture
def fake_dns():
    """The test zone answered from memory; its web address has no listener."""
    from tests.dns_zone import FakeResolver, zone_for

    return FakeResolver(zone_for("127.9.9.10"))


@pytest.fixture
def app(settings):
    return create_app({"SETTINGS": settings, "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def test_ca(tmp_path_factory):
    """A test root CA and intermediate (tests/pki.py); `.issue()` makes leaves."""
    from tests.pki import make_ca

    return make_ca(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def dns_server():
    """dnsmasq on a random loopback address serving the test zone of tests/dns_zone.py."""
    from tests.dns_server import DnsServer, dnsmasq
    from tests.dns_zone import dnsmasq_options, zone_for

    web = random_loopback()
    with dnsmasq(dnsmasq_options(zone_for(web))) as address:
        yield DnsServer(address, web)
