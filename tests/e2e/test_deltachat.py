"""Delta Chat's real core (deltachat-rpc-server from PyPI) sets up accounts
against the app behind the test nginx, over HTTPS, in namespaces of the
test's own where names resolve only as each phase says (tests/e2e/deltachat.py).

Delta Chat asks, in order: autoconfig.<d> with the address, <d>/.well-known
without, a body-less GET of <d>/autodiscover/autodiscover.xml and of
autodiscover.<d>/..., the Thunderbird ISPDB, then guesses imap./smtp./mail.<d>.
It stops at the first 2xx XML answer.
"""

from __future__ import annotations

import pytest

from tests.e2e.deltachat import GUESSES, MAIL_HOST, PROXY, run_in_namespace

SERVED = ["example.com", "example.org", "xn--bcher-kva.example"]
EVERY_NAME = {f"{prefix}{domain}": PROXY for domain in SERVED for prefix in ("", "autoconfig.", "autodiscover.")}
UNKNOWN = {
    **{f"{prefix}example.net": PROXY for prefix in ("", "autoconfig.", "autodiscover.")},
    **{f"{guess}.example.net": GUESSES for guess in ("imap", "smtp", "mail")},
}
PHASES = [
    # The admin added only the autodiscover.<d> alias.
    {"resolve": {"autodiscover.example.com": PROXY, "my.example.com": MAIL_HOST}, "addresses": ["fred@example.com"]},
    {"resolve": {**EVERY_NAME, "my.example.com": MAIL_HOST}, "addresses": [f"fred@{d}" for d in SERVED]},
    # The Cloudron mail host resolves, so a wrong answer could lead there.
    {"resolve": {**UNKNOWN, "my.example.com": MAIL_HOST}, "addresses": ["fred@example.net"]},
]


@pytest.fixture(scope="module")
def phases(tmp_path_factory):
    return run_in_namespace(PHASES, tmp_path_factory.mktemp("deltachat"))


def logins(phase, address):
    """(mail server address, port, how TLS was had) of each login as `address`."""
    return {(c["address"], c["port"], c["tls"]) for c in phase["connections"] if c["user"] == address}


CLOUDRON_MAIL = {(MAIL_HOST, 993, "implicit"), (MAIL_HOST, 587, "starttls")}


def test_with_only_the_autodiscover_alias_delta_chat_finds_the_cloudron_mail_host(phases):
    phase = phases[0]
    assert logins(phase, "fred@example.com") == CLOUDRON_MAIL, phase
    assert "GET /autodiscover/autodiscover.xml HTTP/1.1" in phase["requests"]


def test_with_every_name_resolving_autoconfig_answers_for_every_domain(phases):
    phase = phases[1]
    for domain in SERVED:
        assert logins(phase, f"fred@{domain}") == CLOUDRON_MAIL, (domain, phase)
    # Found through autoconfig (asked with the address), before any Autodiscover.
    assert {r.split("%40")[1].split(" ")[0] for r in phase["requests"]} == {
        "example.com",
        "example.org",
        "xn%2D%2Dbcher%2Dkva.example",
    }
    assert all(r.startswith("GET /mail/config-v1.1.xml?emailaddress=fred%40") for r in phase["requests"])


def test_an_unknown_domain_falls_through_to_delta_chats_own_guesses(phases):
    phase = phases[2]
    assert phase["connections"], phase
    assert not [c for c in phase["connections"] if c["address"] == MAIL_HOST]
    assert {c["address"] for c in phase["connections"]} == {GUESSES}
    # Every source of the app was asked and refused, the body-less Autodiscover GETs included.
    assert set(phase["requests"]) == {
        "GET /mail/config-v1.1.xml?emailaddress=fred%40example.net HTTP/1.1",
        "GET /.well-known/autoconfig/mail/config-v1.1.xml HTTP/1.1",
        "GET /autodiscover/autodiscover.xml HTTP/1.1",
    }
