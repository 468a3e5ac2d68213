"""Pre-rendered documents must equal a fresh render, whatever the address."""

import pytest

from app.documents import Documents
from app.formats import autoconfig, autodiscover


@pytest.mark.parametrize(
    "address",
    ["jane@example.com", "a&b@example.com", "o'neil@example.com", "x<y>@example.com", "ADDRESS-SLOT@example.com"],
)
def test_filled_documents_equal_a_fresh_render(settings, address):
    documents = Documents(settings)
    domain = settings.domain("example.com")
    assert documents.outlook(domain, address) == autodiscover.outlook_response(settings, domain, address)
    assert documents.mobilesync(address) == autodiscover.mobilesync_response(address)


def test_autoconfig_names_the_link_it_was_asked_with_every_time(settings):
    documents = Documents(settings)
    domain = settings.domain("example.com")
    for link in ["https://autoconfig.example.com/", "https://other.example/", "https://autoconfig.example.com/"]:
        assert documents.autoconfig(domain, link) == autoconfig.document(settings, domain, link)
