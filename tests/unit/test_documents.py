"""Pre-rendered documents must equal a fresh render, whatever the address."""

import pytest

from app.documents import Documents
from app.formats import autodiscover


@pytest.mark.parametrize(
    "address",
    ["jane@example.com", "a&b@example.com", "o'neil@example.com", "x<y>@example.com", "ADDRESS-SLOT@example.com"],
)
def test_filled_documents_equal_a_fresh_render(settings, address):
    documents = Documents(settings)
    domain = settings.domain("example.com")
    assert documents.outlook(domain, address) == autodiscover.outlook_response(settings, domain, address)
    assert documents.mobilesync(address) == autodiscover.mobilesync_response(address)


def test_autoconfig_is_cached_per_domain_and_link(settings):
    documents = Documents(settings)
    domain = settings.domain("example.com")
    first = documents.autoconfig(domain, "https://autoconfig.example.com/")
    assert documents.autoconfig(domain, "https://autoconfig.example.com/") is first
    assert b"https://other.example/" in documents.autoconfig(domain, "https://other.example/")
