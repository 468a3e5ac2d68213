"""The one lookup every view shares: an address to a served mailbox, or why not."""

import pytest

from app.lookup import NotAnAddress, NotServedHere, lookup


def test_a_served_address_gives_its_mailbox_with_the_ascii_domain(settings):
    mailbox = lookup(settings, " Jörg@Bücher.Example ")
    assert mailbox.address == "Jörg@xn--bcher-kva.example"
    assert mailbox.domain is settings.domain("xn--bcher-kva.example")


@pytest.mark.parametrize("raw", ["", "jane", "jane@", "@example.com", "ja ne@example.com", "jane@exa mple.com"])
def test_text_that_is_not_an_address_is_refused_as_such(settings, raw):
    with pytest.raises(NotAnAddress):
        lookup(settings, raw)


def test_an_address_elsewhere_is_refused_and_names_its_domain(settings):
    with pytest.raises(NotServedHere) as refused:
        lookup(settings, "jane@Example.NET")
    assert refused.value.domain_name == "example.net"
