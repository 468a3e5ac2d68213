import pytest

from app import create_app
from app.settings import Source
from app.settings_loader import load_settings


def source(settings, key):
    """Where the admin page says `key` came from."""
    return next(p.sources for p in settings.provenance if p.key == key)


def test_domains_from_cloudron_are_normalised_and_deduplicated(make_settings):
    settings = make_settings(
        CLOUDRON_EMAIL_DOMAINS="example.com, Example.ORG,bücher.example,xn--bcher-kva.example,EXAMPLE.com,"
    )
    assert [d.name for d in settings.domains] == ["example.com", "example.org", "xn--bcher-kva.example"]
    assert settings.domain("xn--bcher-kva.example").unicode_name == "bücher.example"


def test_mail_host_and_locations_come_from_cloudron(settings):
    assert settings.mail_host == "my.example.com"
    assert not settings.demo
    assert "autodiscover.example.org" in settings.locations
    assert settings.locations[0] == "mailconfig.example.com"
    assert settings.app_origin == "https://mailconfig.example.com"


def test_defaults_match_cloudron_mail_server(settings):
    assert [(s.protocol, s.host, s.port, s.tls) for s in settings.incoming] == [("IMAP", "my.example.com", 993, "ssl")]
    assert [(s.protocol, s.port, s.tls) for s in settings.outgoing] == [("SMTP", 587, "starttls")]
    assert source(settings, "services.imap.port") == (Source.DEFAULT,)
    assert source(settings, "services.imap.host") == (Source.ENVIRONMENT,)


def test_internal_mail_ports_are_never_advertised(settings):
    ports = {s.port for s in settings.services}
    assert not ports & {9993, 2525}
    assert "mail" not in {s.host for s in settings.services}


def test_no_cloudron_variables_means_demo_environment(tmp_path):
    settings = load_settings({"AUTOCONFIG_CONFIG_FILE": str(tmp_path / "none.toml"), "PATH": "/bin"})
    assert settings.demo
    assert [d.name for d in settings.domains] == ["example.com", "example.org"]
    assert settings.mail_host == "mail.example.com"


def test_one_switch_turns_on_pop3_and_smtps_in_preference_order(make_settings, config_file):
    settings = make_settings(config_file("services.pop3.enabled = true\nservices.submissions.enabled = true\n"))
    assert [(s.protocol, s.port) for s in settings.incoming] == [("IMAP", 993), ("POP3", 995)]
    # RFC 8314: implicit TLS (465) before STARTTLS (587).
    assert [(s.port, s.tls) for s in settings.outgoing] == [(465, "ssl"), (587, "starttls")]
    assert source(settings, "services.pop3.enabled") == (Source.CONFIG,)


def test_config_file_sets_every_key(make_settings, config_file):
    settings = make_settings(
        config_file("""
documentation_url = "https://wiki.example.com/mail"
webmail_url = "https://webmail.example.com"
extra_domains = ["Example.NET"]
exclude_domains = ["example.org"]

[display_names]
"example.com" = "Example Mail"

[services.imap]
host = "imap.example.com"
port = 1993
tls = "starttls"

[services.submission]
enabled = false

[services.submissions]
enabled = true
""")
    )
    assert [d.name for d in settings.domains] == ["example.com", "xn--bcher-kva.example", "example.net"]
    assert settings.domain("example.com").display_name == "Example Mail"
    assert settings.domain("example.net").display_name == "example.net"
    imap = settings.service("imap")
    assert (imap.host, imap.port, imap.tls) == ("imap.example.com", 1993, "starttls")
    assert [(s.port, s.tls) for s in settings.outgoing] == [(465, "ssl")]
    assert settings.documentation_url == "https://wiki.example.com/mail"
    assert settings.webmail_url == "https://webmail.example.com"
    assert settings.config_error is None


@pytest.mark.parametrize(
    "text, message",
    [
        ("colour = 1", "colour: unknown key"),
        ("[services.imap]\nport = 99999", "services.imap.port: must be a port number"),
        ('[services.imap]\nport = "993"', "services.imap.port: must be a port number"),
        ("[services.imap]\nport = true", "services.imap.port: must be a port number"),
        ('[services.imap]\ntls = "plain"', 'services.imap.tls: must be "ssl"'),
        ('[services.imap]\nenabled = "yes"', "services.imap.enabled: must be true or false"),
        ("[services.exchange]\nenabled = true", "services.exchange: unknown key"),
        ('extra_domains = "example.net"', "extra_domains: must be a list"),
        ('extra_domains = ["not a domain"]', "extra_domains[0]: is not a domain name"),
        ('webmail_url = "ftp://x"', "webmail_url: must be an http(s) URL"),
        ('setup_page_domains = "example.com"', "setup_page_domains: must be a list"),
        ('setup_page_domains = ["example.com", 3]', "setup_page_domains[1]: is not a domain name"),
        ("this is = not toml", "not valid TOML"),
        # tomllib recurses per level: this used to stop the app from starting.
        ("x = " + "[" * 2000 + "]" * 2000, "cannot be read (RecursionError"),
        # A control character would make the autoconfig XML ill-formed.
        ('[display_names]\n"example.com" = "Acme\\u0007 Mail"', "display_names.example.com: must not contain control"),
        ('[display_names]\n"example.com" = "Acme\\u0085 Mail"', "display_names.example.com: must not contain control"),
        ('webmail_url = "https://mail.example.com/\\u0000"', "webmail_url: must not contain control"),
        ("[services.submission]\nenabled = false", "services: turns off every outgoing service"),
    ],
)
def test_config_errors_name_file_key_and_reason_and_ignore_the_file(make_settings, config_file, text, message):
    path = config_file("services.pop3.enabled = true\n" + text)
    settings = make_settings(path)
    assert settings.config_error.startswith(path + ": ")
    assert message in settings.config_error
    assert "\n" not in settings.config_error
    # Never half-applied: the valid line before the error is ignored too.
    assert [s.protocol for s in settings.incoming] == ["IMAP"]
    assert [d.name for d in settings.domains][:2] == ["example.com", "example.org"]


def test_a_config_that_leaves_nothing_to_read_mail_with_is_an_error(make_settings, config_file):
    settings = make_settings(config_file("[services.imap]\nenabled = false\n"))
    assert "services: turns off every incoming service (imap, pop3)" in settings.config_error
    assert [s.protocol for s in settings.incoming] == ["IMAP"]


def test_missing_config_file_is_not_an_error(settings):
    assert settings.config_error is None


def test_setup_page_lists_the_admins_served_domains_in_the_admins_order(make_settings, config_file, settings):
    assert [d.name for d in settings.setup_page_domains] == ["example.com", "example.org", "xn--bcher-kva.example"]
    chosen = make_settings(config_file('setup_page_domains = ["Bücher.example", "gone.example", "example.com"]\n'))
    # A domain the mail server no longer serves is left out, not an error:
    # the environment changes at every restart, the file does not.
    assert [d.name for d in chosen.setup_page_domains] == ["xn--bcher-kva.example", "example.com"]
    assert source(chosen, "setup_page_domains") == (Source.CONFIG,)


def test_signing_certificate_paths_default_to_the_tls_addon_and_can_be_moved(make_settings):
    settings = make_settings(AUTOCONFIG_TLS_CERT_FILE=None, AUTOCONFIG_TLS_KEY_FILE=None)
    assert (settings.tls_cert_file, settings.tls_key_file) == ("/etc/certs/tls_cert.pem", "/etc/certs/tls_key.pem")
    moved = make_settings(AUTOCONFIG_TLS_CERT_FILE="/run/c.pem", AUTOCONFIG_TLS_KEY_FILE="/run/k.pem")
    assert (moved.tls_cert_file, moved.tls_key_file) == ("/run/c.pem", "/run/k.pem")


@pytest.mark.parametrize(
    "overrides, reason",
    [
        ({}, "Cloudron's login (proxyAuth) guards this page"),
        ({"CLOUDRON": None, "AUTOCONFIG_ADMIN_OPEN": "1"}, "AUTOCONFIG_ADMIN_OPEN=1 is set"),
        ({"CLOUDRON": None}, None),
        ({"CLOUDRON": None, "AUTOCONFIG_ADMIN_OPEN": "yes"}, None),
    ],
)
def test_admin_page_opens_only_behind_cloudron_or_when_told(make_settings, overrides, reason):
    assert make_settings(**overrides).admin_open_because == reason


def test_dns_server_for_the_admin_checks_comes_from_the_environment(make_settings):
    assert make_settings().dns_server is None
    assert make_settings(AUTOCONFIG_DNS_SERVER="127.0.0.53:5353").dns_server == "127.0.0.53:5353"


def test_a_missing_mail_server_name_is_a_problem_said_in_one_line(make_settings):
    assert make_settings().environment_problems == ()
    problems = make_settings(CLOUDRON_EMAIL_SERVER_HOST=None).environment_problems
    assert len(problems) == 1 and "\n" not in problems[0]
    assert problems[0].startswith("CLOUDRON_EMAIL_SERVER_HOST is not set")
    assert "mailconfig.example.com" in problems[0]


@pytest.mark.parametrize(
    "dav, message",
    [
        ('caldav_url = "http://dav.example.com/"', "dav.caldav_url: must be an https:// URL"),
        ('carddav_url = "https://dav.example.com"', "dav.carddav_url: must be https://host/path, with a path"),
        ('login = "username"', 'dav.login: must be "address", "localpart" (the part before @) or "none"'),
        ('colour = "red"', "dav.colour: unknown key"),
    ],
)
def test_bad_dav_settings_are_refused_in_one_line_and_mail_is_still_served(
    make_settings, config_file, caplog, dav, message
):
    good = {"caldav_url": '"https://dav.example.com/"', "carddav_url": '"https://dav.example.com/"'}
    key, value = dav.split(" = ")
    lines = [f"{k} = {v}" for k, v in (good | {key: value}).items()]
    settings = make_settings(config_file("[dav]\n" + "\n".join(lines) + "\n"))
    assert message in settings.config_error
    assert "\n" not in settings.config_error
    assert all(d.dav is None for d in settings.domains)
    client = create_app({"SETTINGS": settings, "TESTING": True}).test_client()
    assert [r.getMessage() for r in caplog.records if "config" in r.getMessage()] == [
        f"config file ignored, serving defaults: {settings.config_error}"
    ]
    response = client.get(
        "/mail/config-v1.1.xml?emailaddress=jane@example.com", headers={"Host": "autoconfig.example.com"}
    )
    assert response.status_code == 200 and b"<incomingServer" in response.data and b"<calendar" not in response.data


def test_a_domain_override_needs_both_urls_without_a_shared_dav_section(make_settings, config_file):
    settings = make_settings(config_file('[dav.domains."example.org"]\ncaldav_url = "https://d.example.org/"\n'))
    assert "dav.domains.example.org: needs carddav_url too" in settings.config_error


def test_dav_overrides_per_domain_and_login_defaults_to_the_part_before_the_at(make_settings, config_file):
    from tests.dav import DAV_TOML

    settings = make_settings(config_file(DAV_TOML.replace('login = "localpart"\n', "")))
    com, org = settings.domain("example.com").dav, settings.domain("example.org").dav
    assert (com.caldav.url, com.login, com.display_name) == (
        "https://cloud.example.com/remote.php/dav/",
        "localpart",
        "Example Cloud",
    )
    assert (org.caldav.host, org.caldav.port, org.caldav.path, org.login) == ("dav.example.org", 8443, "/", "address")
    assert com.username("jane.doe@example.com") == "jane.doe"


def test_a_unicode_dav_host_is_published_in_ascii(make_settings, config_file):
    settings = make_settings(
        config_file(
            '[dav]\ncaldav_url = "https://Kalender.Bücher.example/dav/"\ncarddav_url = "https://b.example:8443/"\n'
        )
    )
    dav = settings.domain("example.com").dav
    assert (dav.caldav.url, dav.caldav.host) == (
        "https://kalender.xn--bcher-kva.example/dav/",
        "kalender.xn--bcher-kva.example",
    )
    assert dav.carddav.url == "https://b.example:8443/"
