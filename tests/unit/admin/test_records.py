"""The one list of DNS records a mail domain needs, derived from settings."""

from app.admin.records import expected_records


def by_name(settings, domain="example.com"):
    """{(name, type): [data, ...]} of the records `domain` should publish."""
    grouped = {}
    for record in expected_records(settings, settings.domain(domain)):
        grouped.setdefault((record.name, record.type), []).append(record.data)
    return grouped


def test_defaults_publish_imap_and_submission_and_say_no_to_the_rest(settings):
    records = by_name(settings)
    assert records["_imaps._tcp.example.com", "SRV"] == ["0 1 993 my.example.com."]
    assert records["_submission._tcp.example.com", "SRV"] == ["0 1 587 my.example.com."]
    for label in ("_imap", "_pop3", "_pop3s", "_submissions"):
        assert records[f"{label}._tcp.example.com", "SRV"] == ["0 0 0 ."]
    assert records["_autodiscover._tcp.example.com", "SRV"] == ["0 1 443 autodiscover.example.com."]
    assert records["example.com", "MX"] == ["10 my.example.com."]
    assert records["autoconfig.example.com", "CNAME"] == ["mailconfig.example.com."]


def test_records_follow_the_config_file(make_settings, config_file):
    settings = make_settings(
        config_file(
            "[services.pop3]\nenabled = true\n[services.submissions]\nenabled = true\n"
            '[services.imap]\ntls = "starttls"\nport = 143\nhost = "imap.example.net"\n'
        )
    )
    records = by_name(settings, "example.org")
    # POP3 ranks below IMAP (RFC 6186 3.4); STARTTLS IMAP moves to _imap.
    assert records["_pop3s._tcp.example.org", "SRV"] == ["10 1 995 my.example.com."]
    assert records["_submissions._tcp.example.org", "SRV"] == ["0 1 465 my.example.com."]
    assert records["_imap._tcp.example.org", "SRV"] == ["0 1 143 imap.example.net."]
    assert records["_imaps._tcp.example.org", "SRV"] == ["0 0 0 ."]


def test_idn_domains_are_published_in_ascii(settings):
    names = {r.name for r in expected_records(settings, settings.domain("xn--bcher-kva.example"))}
    assert "autodiscover.xn--bcher-kva.example" in names
    assert all(name.isascii() for name in names)


def test_each_record_states_its_level_by_what_clients_read(settings):
    levels = {(r.name, r.type): r.level for r in expected_records(settings, settings.domain("example.com"))}
    assert levels == {
        ("autoconfig.example.com", "CNAME"): "required",
        ("autodiscover.example.com", "CNAME"): "required",
        ("_autodiscover._tcp.example.com", "SRV"): "recommended",
        ("_imaps._tcp.example.com", "SRV"): "recommended",
        ("_submission._tcp.example.com", "SRV"): "recommended",
        ("_imap._tcp.example.com", "SRV"): "optional",
        ("_pop3._tcp.example.com", "SRV"): "optional",
        ("_pop3s._tcp.example.com", "SRV"): "optional",
        ("_submissions._tcp.example.com", "SRV"): "optional",
        ("example.com", "MX"): "informational",
    }


def test_a_service_switched_on_moves_its_record_from_optional_to_recommended(make_settings, config_file):
    settings = make_settings(config_file("[services.pop3]\nenabled = true\n"))
    (pop3s,) = [r for r in expected_records(settings, settings.domain("example.com")) if r.name.startswith("_pop3s.")]
    assert pop3s.level == "recommended" and pop3s.data == "10 1 995 my.example.com."


def test_dav_records_name_the_dav_apps_host_port_and_path(make_settings, config_file):
    from tests.dav import DAV_TOML

    settings = make_settings(config_file(DAV_TOML))
    records = by_name(settings, "example.com")
    for label in ("_caldavs", "_carddavs"):
        assert records[f"{label}._tcp.example.com", "SRV"] == ["0 1 443 cloud.example.com."]
        assert records[f"{label}._tcp.example.com", "TXT"] == ['"path=/remote.php/dav/"']
    assert by_name(settings, "example.org")["_caldavs._tcp.example.org", "SRV"] == ["0 1 8443 dav.example.org."]
    # Calendars help, but mail setup never depends on them.
    dav = [r for r in expected_records(settings, settings.domain("example.com")) if "dav" in r.name]
    assert {r.level for r in dav} == {"recommended"} and len(dav) == 4
    assert all(r.consequence and "\n" not in r.consequence for r in dav)


def test_no_dav_records_without_dav(settings):
    assert not [name for name, _ in by_name(settings) if "dav" in name]
