import pytest

from app.names import domain_of_host, normalize_domain, parse_address, unicode_domain


@pytest.mark.parametrize("raw", ["bücher.example", "BÜCHER.example.", " xn--bcher-kva.example "])
def test_unicode_and_punycode_spellings_are_one_domain(raw):
    assert normalize_domain(raw) == "xn--bcher-kva.example"


def test_unicode_domain_shows_idn_to_humans():
    assert unicode_domain("xn--bcher-kva.example") == "bücher.example"
    assert unicode_domain("example.com") == "example.com"


@pytest.mark.parametrize("raw", ["", ".", "a..b", "exa mple.com", "a" * 64 + ".com", "ex_ample.com"])
def test_normalize_domain_rejects_non_domains(raw):
    with pytest.raises(ValueError):
        normalize_domain(raw)


def test_parse_address_keeps_local_part_and_gives_ascii_domain():
    assert parse_address(" Jane.Doe@Bücher.Example ") == ("Jane.Doe@xn--bcher-kva.example", "xn--bcher-kva.example")


def test_nfc_and_nfd_spellings_of_a_local_part_are_one_address():
    nfc, nfd = "j\u00f6rg@example.com", "jo\u0308rg@example.com"
    assert nfc != nfd
    assert parse_address(nfd) == parse_address(nfc) == (nfc, "example.com")


def test_local_parts_are_limited_to_64_octets():
    assert parse_address("a" * 64 + "@example.com")[0] == "a" * 64 + "@example.com"
    for local in ["a" * 65, "\u00f6" * 33]:  # 65 and 66 octets
        with pytest.raises(ValueError):
            parse_address(local + "@example.com")


@pytest.mark.parametrize(
    "raw",
    ["", "jane", "jane@", "@example.com", "a b@example.com", "<script>@example.com", "jane@exa<mple.com", "a@@b.com"],
)
def test_parse_address_rejects_malformed(raw):
    with pytest.raises(ValueError):
        parse_address(raw)


@pytest.mark.parametrize(
    "host, domain",
    [
        ("autoconfig.example.com", "example.com"),
        ("AutoDiscover.Example.com:443", "example.com"),
        ("example.org", "example.org"),
        ("autoconfig.xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("[::1]:8000", None),
        ("", None),
        ("exa mple.com", None),
    ],
)
def test_domain_of_host_strips_prefix_and_port(host, domain):
    assert domain_of_host(host) == domain
