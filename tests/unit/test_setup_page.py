"""What the setup page shows, decided without Flask: which domain, which
address, what went wrong, and where each link leads."""

import pytest

from app.setup_page import Asked, Problem, build

LANGUAGES = ("en", "fr")


def page(settings, host=None, **asked):
    return build(settings, Asked(host_domain=host and settings.domain(host), languages=LANGUAGES, **asked))


def test_the_host_names_the_domain_before_any_address(settings):
    shown = page(settings, host="example.org")
    assert (shown.status, shown.domain.name, shown.address, shown.problem) == (200, "example.org", None, None)
    assert [(s.name, preferred) for s, preferred in shown.services] == [("imap", True), ("submission", True)]


def test_an_address_wins_over_the_host_and_keeps_its_local_part(settings):
    shown = page(settings, host="example.org", emailaddress=" Jörg@Bücher.example ")
    assert (shown.domain.name, shown.address, shown.typed) == (
        "xn--bcher-kva.example",
        "Jörg@xn--bcher-kva.example",
        "Jörg@Bücher.example",
    )
    # Switching language keeps the address, and nothing else is needed.
    assert dict(shown.switch)["fr"] == {"lang": "fr", "emailaddress": "Jörg@xn--bcher-kva.example"}


@pytest.mark.parametrize(
    "typed, problem, status, named",
    [
        ("not an address", Problem.NOT_AN_ADDRESS, 400, ""),
        ("jane@bücher.test", Problem.NOT_SERVED_HERE, 404, "bücher.test"),
    ],
)
def test_a_bad_address_says_why_and_shows_no_mailbox(settings, typed, problem, status, named):
    shown = page(settings, host="example.org", emailaddress=typed)
    assert (shown.problem, shown.status, shown.problem_domain, shown.address) == (problem, status, named, None)
    assert shown.domain.name == "example.org"


def test_on_the_apps_own_host_the_domains_are_listed_with_links_to_each(settings):
    shown = page(settings, language="fr")
    assert shown.domain is None
    assert [(d.name, query) for d, query in shown.domains] == [
        ("example.com", {"lang": "fr", "domain": "example.com"}),
        ("example.org", {"lang": "fr", "domain": "example.org"}),
        ("xn--bcher-kva.example", {"lang": "fr", "domain": "xn--bcher-kva.example"}),
    ]


def test_a_domain_asked_by_link_is_carried_by_the_form(settings):
    shown = page(settings, domain="Example.COM", lang="fr")
    assert shown.domain.name == "example.com"
    assert shown.hidden == {"lang": "fr", "domain": "example.com"}
    assert page(settings, domain="junk..", lang="xx").hidden == {}
